import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { registerRequestIdEcho, requestId } from "./request-id.ts";

describe("request ids", () => {
  const app = Fastify({ requestIdHeader: false, genReqId: requestId });
  registerRequestIdEcho(app);
  app.get("/", async (request) => ({ id: request.id }));

  it("keeps a caller's usable X-Request-Id and answers with it", async () => {
    const answer = await app.inject({ url: "/", headers: { "x-request-id": "lb-7f3a.42" } });
    expect(answer.headers["x-request-id"]).toBe("lb-7f3a.42");
    expect(answer.json()).toEqual({ id: "lb-7f3a.42" });
  });

  it("replaces a missing, overlong or spaced one with a fresh UUID", async () => {
    const ids = new Set<string>();
    for (const headers of [{}, { "x-request-id": "x".repeat(129) }, { "x-request-id": "a b" }]) {
      const answer = await app.inject({ url: "/", headers });
      const id = String(answer.headers["x-request-id"]);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(3);
  });
});
