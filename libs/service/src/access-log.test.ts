import Fastify, { LogController } from "fastify";
import { describe, expect, it } from "vitest";
import { redactQuery } from "./access-log.ts";
import { registerHealthRoutes } from "./health.ts";
import { createLogger } from "./logger.ts";
import { loadNodeConfig } from "./node-config.ts";
import { requestId } from "./request-id.ts";
import { registerRequestTelemetry } from "./request-telemetry.ts";

/** An app set up as records and gateway are, whose log lines are kept as parsed JSON. */
async function appLogging(options: { level: string; accessLog: boolean }) {
  const lines: Record<string, unknown>[] = [];
  const app = Fastify({
    loggerInstance: createLogger(options.level, {
      write: (line: string) => void lines.push(JSON.parse(line)),
    }),
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: requestId,
  });
  registerRequestTelemetry(app, { accessLog: options.accessLog });
  registerHealthRoutes(app, { draining: false, startDraining() {} }, {});
  app.get("/api/collections/:collection/records", async () => ({ items: [] }));
  await app.ready();
  return { app, lines };
}

describe("access log", () => {
  it("writes one info line per request with its method, redacted URL, route, status, time, size, id and address", async () => {
    const { app, lines } = await appLogging({ level: "info", accessLog: true });
    const response = await app.inject({
      url: "/api/collections/posts/records?page=2&token=abc&filter=x%3D1&Access_Token=def",
      headers: { "x-request-id": "client-42" },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      reqId: "client-42",
      method: "GET",
      url: "/api/collections/posts/records?page=2&token=[Redacted]&filter=x%3D1&Access_Token=[Redacted]",
      route: "/api/collections/:collection/records",
      statusCode: 200,
      responseTime: expect.any(Number),
      contentLength: response.body.length,
      remoteAddress: "127.0.0.1",
      msg: "request completed",
    });
    await app.close();
  });

  it("logs a request no route matched without a route, and failures too", async () => {
    const { app, lines } = await appLogging({ level: "info", accessLog: true });
    await app.inject({ method: "DELETE", url: "/nowhere?password=hunter2" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      method: "DELETE",
      url: "/nowhere?password=[Redacted]",
      statusCode: 404,
    });
    expect(lines[0]).not.toHaveProperty("route");
    await app.close();
  });

  it("writes health probes at debug, so an info log is not filled with them", async () => {
    const atInfo = await appLogging({ level: "info", accessLog: true });
    await atInfo.app.inject("/healthz");
    await atInfo.app.inject("/readyz");
    expect(atInfo.lines).toEqual([]);
    await atInfo.app.close();
    const atDebug = await appLogging({ level: "debug", accessLog: true });
    await atDebug.app.inject("/healthz");
    await atDebug.app.inject("/readyz");
    expect(atDebug.lines.map(({ level, route }) => [level, route])).toEqual([
      [20, "/healthz"],
      [20, "/readyz"],
    ]);
    await atDebug.app.close();
  });

  it("writes nothing when turned off (TIDINGS_ACCESS_LOG=false)", async () => {
    expect(loadNodeConfig({}).accessLog).toBe(true);
    expect(loadNodeConfig({ TIDINGS_ACCESS_LOG: "false" }).accessLog).toBe(false);
    const { app, lines } = await appLogging({ level: "trace", accessLog: false });
    await app.inject("/api/collections/posts/records");
    await app.inject("/healthz");
    await app.inject("/nowhere");
    expect(lines).toEqual([]);
    await app.close();
  });
});

describe("redactQuery", () => {
  it("replaces the values of parameters whose names mention a credential, and nothing else", () => {
    expect(redactQuery("/api/x")).toBe("/api/x");
    expect(redactQuery("/api/x?")).toBe("/api/x?");
    expect(redactQuery("/api/x?page=1&sort=-created")).toBe("/api/x?page=1&sort=-created");
    expect(redactQuery("/x?auth=a&authToken=b&client_secret=c&PASSWORD=d&passwordConfirm=e")).toBe(
      "/x?auth=[Redacted]&authToken=[Redacted]&client_secret=[Redacted]&PASSWORD=[Redacted]&passwordConfirm=[Redacted]",
    );
    // Encoded names are what the server decodes them to; a name alone has no value to hide.
    expect(redactQuery("/x?%74oken=a&to%2Bken=b&token&expand=author")).toBe(
      "/x?%74oken=[Redacted]&to%2Bken=b&token&expand=author",
    );
    // A name that cannot be decoded is checked as it is.
    expect(redactQuery("/x?%E0%A4%A=1&secret%ZZ=2")).toBe("/x?%E0%A4%A=1&secret%ZZ=[Redacted]");
  });
});
