import { describe, expect, it } from "vitest";
import { Batcher, coalesce } from "./batcher.ts";

/** A flush that records its batches and answers when released. */
function gatedFlush() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const flush = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    return items.map((n) => n * 10);
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()?.();
  };
  return { batches, flush, release };
}

describe("Batcher", () => {
  it("flushes an item at once when idle, alone", async () => {
    const gated = gatedFlush();
    const batcher = new Batcher(gated.flush);
    const answer = batcher.submit(1);
    await gated.release();
    expect(await answer).toBe(10);
    expect(gated.batches).toEqual([[1]]);
  });

  it("items submitted while a flush is in flight go together in the next one", async () => {
    const gated = gatedFlush();
    const batcher = new Batcher(gated.flush);
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    expect(batcher.waiting).toBe(3);
    await gated.release();
    await gated.release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(gated.batches).toEqual([[1], [2, 3, 4]]);
  });

  it("callers of the same turn of the event loop share the first flush", async () => {
    const gated = gatedFlush();
    const batcher = new Batcher(gated.flush);
    const answers = [1, 2].map((n) => batcher.submit(n));
    await gated.release();
    expect(await Promise.all(answers)).toEqual([10, 20]);
    expect(gated.batches).toEqual([[1, 2]]);
  });

  it("minIntervalMs: flushes start at least that far apart, and an idle batcher flushes at once", async () => {
    const starts: number[] = [];
    const batches: number[][] = [];
    const batcher = new Batcher(
      async (items: number[]) => {
        starts.push(Date.now());
        batches.push(items);
        return items;
      },
      { minIntervalMs: 60 },
    );
    const submitted = Date.now();
    await batcher.submit(1);
    expect(starts[0]! - submitted).toBeLessThan(40);
    // Items arriving one by one right after a flush wait for the interval, and go together.
    const later = [2, 3, 4].map(async (n, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 5));
      return batcher.submit(n);
    });
    expect(await Promise.all(later)).toEqual([2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(59);
    // Long after the last flush, an item goes at once again.
    await new Promise((resolve) => setTimeout(resolve, 80));
    const alone = Date.now();
    await batcher.submit(5);
    expect(starts[2]! - alone).toBeLessThan(40);
  });

  it("takes at most maxItems per flush", async () => {
    const batches: number[][] = [];
    const batcher = new Batcher(
      async (items: number[]) => {
        batches.push(items);
        return items;
      },
      { maxItems: 2 },
    );
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)))).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("an Error in an item's place fails that item alone", async () => {
    const batcher = new Batcher(async (items: number[]) =>
      items.map((n) => (n === 2 ? new Error("two") : n)),
    );
    const answers = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    expect(answers.map((a) => (a.status === "fulfilled" ? a.value : a.reason.message))).toEqual([
      1,
      "two",
      3,
    ]);
  });

  it("a failed flush fails its batch, and the next batch is flushed anyway", async () => {
    let calls = 0;
    const batcher = new Batcher(async (items: number[]) => {
      calls += 1;
      if (calls === 1) throw new Error("down");
      return items;
    });
    const first = batcher.submit(1);
    const second = batcher.submit(2);
    await expect(first).rejects.toThrow("down");
    await expect(second).rejects.toThrow("down");
    expect(await batcher.submit(3)).toBe(3);
  });

  it("an answer of the wrong length fails the batch", async () => {
    const batcher = new Batcher(async () => [1]);
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow(
      /2 items answered 1/,
    );
  });
});

describe("coalesce", () => {
  it("callers during a read share the next one, which starts after they called", async () => {
    let value = 0;
    const gates: (() => void)[] = [];
    const read = coalesce(async () => {
      const seen = value;
      await new Promise<void>((resolve) => gates.push(resolve));
      return seen;
    });
    const first = read();
    await new Promise((resolve) => setImmediate(resolve));
    // Written after the first read began: only a later read may see it.
    value = 1;
    const second = read();
    const third = read();
    gates.shift()?.();
    expect(await first).toBe(0);
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()?.();
    expect(await Promise.all([second, third])).toEqual([1, 1]);
    expect(gates).toHaveLength(0);
  });
});
