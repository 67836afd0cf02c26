import type { TokenService } from "@tidings/auth";
import { createLogger } from "@tidings/service";
import { describe, expect, it, vi } from "vitest";
import { Revocations } from "./revocations.ts";

// Revocations following changes announced by the test, over connections whose credentials hold
// while `valid` says so; records which were checked and which revoked.
function setup() {
  const listeners = new Set<(userId: string | undefined) => void>();
  const tokens = {
    onUserChanged: (listener: (userId: string | undefined) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as TokenService;
  const revocations = new Revocations(tokens, createLogger("silent"));
  revocations.start();
  const valid = new Map<string, boolean>();
  const revoked: string[] = [];
  const checks: string[] = [];
  return {
    revocations,
    valid,
    revoked,
    checks,
    announce(userId: string | undefined) {
      for (const listener of listeners) listener(userId);
    },
    watch(id: string, userId: string) {
      const credential = async () => {
        checks.push(id);
        return valid.get(id) ?? true;
      };
      revocations.watch(id, userId, credential, () => revoked.push(id));
    },
  };
}

describe("revocations", () => {
  it("a user's change revokes that user's connections whose credential no longer holds, only those", async () => {
    const c = setup();
    c.watch("a1", "ann");
    c.watch("a2", "ann");
    c.watch("b1", "bob");
    c.valid.set("a1", false);
    c.valid.set("b1", false);
    c.announce("ann");
    await vi.waitFor(() => expect(c.checks.sort()).toEqual(["a1", "a2"]));
    expect(c.revoked).toEqual(["a1"]);
    // A revoked connection is no longer watched; the others still are.
    c.announce("ann");
    await vi.waitFor(() => expect(c.checks).toHaveLength(3));
    expect(c.checks[2]).toBe("a2");
    c.revocations.stop();
  });

  it("after a reconnection every connection is checked; a closed one is not", async () => {
    const c = setup();
    c.watch("a1", "ann");
    c.watch("b1", "bob");
    c.watch("c1", "cid");
    c.revocations.unwatch("c1");
    c.valid.set("b1", false);
    c.announce(undefined);
    await vi.waitFor(() => expect(c.revoked).toEqual(["b1"]));
    expect(c.checks.sort()).toEqual(["a1", "b1"]);
    c.revocations.stop();
  });

  it("a connection watched soon after its user changed is checked at once (it may have signed in with the old state)", async () => {
    const c = setup();
    c.announce("ann");
    c.valid.set("a1", false);
    c.watch("a1", "ann");
    c.watch("b1", "bob");
    await vi.waitFor(() => expect(c.revoked).toEqual(["a1"]));
    expect(c.checks).toEqual(["a1"]);
    c.revocations.stop();
  });

  it("a renewed credential replaces the one being checked: the connection stays", async () => {
    const c = setup();
    let release: (holds: boolean) => void = () => {};
    const slow = () => new Promise<boolean>((resolve) => (release = resolve));
    c.revocations.watch("a1", "ann", slow, () => c.revoked.push("old"));
    c.announce("ann");
    c.watch("a1", "ann");
    release(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(c.revoked).toEqual([]);
    c.revocations.stop();
  });

  it("a credential that cannot be checked (database down) is checked again later", async () => {
    vi.useFakeTimers();
    try {
      const c = setup();
      let failures = 1;
      const credential = async () => {
        if (failures-- > 0) throw new Error("database down");
        return false;
      };
      c.revocations.watch("a1", "ann", credential, () => c.revoked.push("a1"));
      c.announce("ann");
      await vi.advanceTimersByTimeAsync(100);
      expect(c.revoked).toEqual([]);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(c.revoked).toEqual(["a1"]);
      c.revocations.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
