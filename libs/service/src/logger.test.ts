import { Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { TracerProvider } from "@opentelemetry/sdk-trace";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCESS_MESSAGE } from "./access-log.ts";
import { createLogger } from "./logger.ts";
import { prettyLogStream } from "./pretty-log-stream.ts";

/** A destination that keeps what is written to it, one entry a line. */
function captured() {
  const lines: string[] = [];
  return { lines, write: (chunk: string) => void lines.push(...chunk.split("\n").filter(Boolean)) };
}

const tracer = new TracerProvider().getTracer("logger-test");
// Files share a worker (vitest `isolate: false`): a context manager another file registered stays
// theirs, and ours is removed after this file only when it was ours.
const manager = new AsyncLocalStorageContextManager().enable();
let registered = false;
beforeAll(() => {
  registered = context.setGlobalContextManager(manager);
});
afterAll(() => {
  if (registered) context.disable();
});

describe("createLogger", () => {
  it("ties every line written inside a span to its trace and span, and lines outside to none", async () => {
    const out = captured();
    const log = createLogger("info", out);
    log.info({ collection: "posts" }, "before");
    const ids = await tracer.startActiveSpan("work", async (span) => {
      // Across an await, as a handler's lines are.
      await new Promise((resolve) => setImmediate(resolve));
      log.child({ reqId: "r1" }).info({ collection: "posts" }, "inside");
      span.end();
      return span.spanContext();
    });
    log.info("after");
    const [before, inside, after] = out.lines.map((line) => JSON.parse(line));
    expect(inside).toMatchObject({
      msg: "inside",
      reqId: "r1",
      collection: "posts",
      trace_id: ids.traceId,
      span_id: ids.spanId,
      trace_flags: "01",
    });
    for (const line of [before, after]) {
      expect(line).not.toHaveProperty("trace_id");
      expect(line).not.toHaveProperty("span_id");
      expect(line).not.toHaveProperty("trace_flags");
    }
    expect(before).toMatchObject({ msg: "before", collection: "posts" });
  });

  it("leaves a line's own fields as they are and lets them win over the span's", async () => {
    const out = captured();
    const log = createLogger("info", out);
    const fields = { span_id: "mine" };
    await tracer.startActiveSpan("work", async (span) => {
      log.info(fields, "own span_id");
      span.end();
    });
    expect(JSON.parse(out.lines[0] ?? "")).toMatchObject({ span_id: "mine" });
    expect(fields).toEqual({ span_id: "mine" });
  });
});

describe("terminal output", () => {
  it("prints one readable line per event, an access line as method, URL, status and time", async () => {
    const out = captured();
    const terminal = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out.write(chunk.toString());
        done();
      },
    });
    const log = pino({ level: "info" }, prettyLogStream(terminal));
    log.info({ port: 8091 }, "gRPC publish API listening");
    log.child({ reqId: "r1" }).info(
      {
        method: "GET",
        url: "/api/x?page=2",
        route: "/api/x",
        statusCode: 200,
        responseTime: 1.5,
        contentLength: 12,
        remoteAddress: "127.0.0.1",
      },
      ACCESS_MESSAGE,
    );
    await new Promise((resolve) => setImmediate(resolve));
    const [started, access] = out.lines.map((line) => stripVTControlCharacters(line));
    expect(out.lines).toHaveLength(2);
    expect(started).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: gRPC publish API listening \{"port":8091\}$/,
    );
    expect(access).toMatch(
      /^\[[\d:.]+\] INFO: GET \/api\/x\?page=2 200 1\.5 ms \{"reqId":"r1","route":"\/api\/x","contentLength":12,"remoteAddress":"127\.0\.0\.1"\}$/,
    );
  });
});
