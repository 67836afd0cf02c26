import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { registerErrorHandling } from "./error-handler.ts";
import { registerSecurityHeaders, SECURITY_HEADERS } from "./security-headers.ts";

describe("registerSecurityHeaders", () => {
  it("puts the headers on answers, errors and unknown routes alike", async () => {
    const app = Fastify();
    registerErrorHandling(app);
    registerSecurityHeaders(app);
    app.get("/ok", async () => ({ ok: true }));
    app.get("/fails", async () => {
      throw new Error("boom");
    });
    for (const [url, status] of [
      ["/ok", 200],
      ["/fails", 500],
      ["/nowhere", 404],
    ] as const) {
      const answer = await app.inject({ method: "GET", url });
      expect(answer.statusCode, url).toBe(status);
      expect(answer.headers, url).toMatchObject(SECURITY_HEADERS);
    }
    expect(SECURITY_HEADERS["x-content-type-options"]).toBe("nosniff");
    await app.close();
  });
});
