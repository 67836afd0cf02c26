import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { registerErrorHandling, renderFrameworkError } from "./error-handler.ts";
import { registerInputChecks } from "./input-checks.ts";

async function app() {
  const server = Fastify({ frameworkErrors: renderFrameworkError });
  registerErrorHandling(server);
  registerInputChecks(server, 4);
  await server.register(async (scope) => {
    scope.post("/things/:id", async (request) => ({ body: request.body }));
    scope.get("/things/:id", async (request) => ({ params: request.params }));
  });
  return server;
}

describe("registerInputChecks", () => {
  it("a path id with U+0000, or not UTF-8, is NOT_FOUND before the route runs", async () => {
    const server = await app();
    for (const url of ["/things/a%00b", "/things/a%ED%A0%80b"]) {
      const response = await server.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ status: 404, code: "NOT_FOUND", data: {} });
    }
    expect((await server.inject({ method: "GET", url: "/things/a%20b" })).json()).toEqual({
      params: { id: "a b" },
    });
  });

  it("a body with such text or nested too deep is VALIDATION_FAILED naming the field, in every scope", async () => {
    const server = await app();
    const post = (payload: string) =>
      server.inject({
        method: "POST",
        url: "/things/t1",
        headers: { "content-type": "application/json" },
        payload,
      });
    const nul = await post('{"a":{"b":"\\u0000"}}');
    expect(nul.statusCode).toBe(400);
    expect(nul.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      data: { "a.b": { code: "nul_character" } },
    });
    // The limit is 4 levels, the body counting as one.
    const deep = await post('{"a":[[[[1]]]]}');
    expect(deep.json()).toMatchObject({ data: { "a.0.0.0": { code: "too_deep" } } });
    expect((await post('{"a":[[[1]]]}')).json()).toEqual({ body: { a: [[[1]]] } });
  });
});
