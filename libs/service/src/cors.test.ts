import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { allowedOrigin, corsEnv, registerCors } from "./cors.ts";
import { ConfigError, parseEnv } from "./env-config.ts";

const origins = (value?: string) =>
  parseEnv(corsEnv, value === undefined ? {} : { TIDINGS_CORS_ORIGINS: value }).values
    .TIDINGS_CORS_ORIGINS;

describe("TIDINGS_CORS_ORIGINS", () => {
  it("is * by default, or a list of exact origins", () => {
    expect(origins()).toBe("*");
    expect(origins(" * ")).toBe("*");
    expect(origins("https://app.example.com, http://localhost:5173")).toEqual([
      "https://app.example.com",
      "http://localhost:5173",
    ]);
  });

  it("refuses what a browser would never send as an origin", () => {
    for (const bad of ["app.example.com", "https://app.example.com/", "ftp://x.example", ","])
      expect(() => origins(bad), bad).toThrow(ConfigError);
    expect(() => origins("https://ok.example,https://bad.example/path")).toThrow(
      /https:\/\/bad\.example\/path/,
    );
  });

  it("answers an origin with *, itself, or nothing", () => {
    expect(allowedOrigin("*", "https://a.example")).toBe("*");
    expect(allowedOrigin(["https://a.example"], "https://a.example")).toBe("https://a.example");
    expect(allowedOrigin(["https://a.example"], "https://b.example")).toBeUndefined();
    expect(allowedOrigin("*", undefined)).toBeUndefined();
  });
});

describe("registerCors", () => {
  async function app(allowed: "*" | string[]) {
    const server = Fastify();
    registerCors(server, allowed);
    server.post("/things", async () => ({ ok: true }));
    await server.ready();
    return server;
  }

  it("answers a preflight from an allowed origin with 204 and what it asked for", async () => {
    const server = await app(["https://app.example"]);
    const answer = await server.inject({
      method: "OPTIONS",
      url: "/things",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(answer.statusCode).toBe(204);
    expect(answer.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(answer.headers.vary).toBe("Origin");
    expect(answer.headers["access-control-allow-methods"]).toContain("POST");
    expect(answer.headers["access-control-allow-headers"]).toBe("authorization, content-type");
  });

  it("serves other origins without the header, and same-origin requests untouched", async () => {
    const server = await app(["https://app.example"]);
    const foreign = await server.inject({
      method: "POST",
      url: "/things",
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.statusCode).toBe(200);
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
    const preflight = await server.inject({
      method: "OPTIONS",
      url: "/things",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    const plain = await server.inject({ method: "POST", url: "/things" });
    expect(plain.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("allows any origin with *", async () => {
    const server = await app("*");
    const answer = await server.inject({
      method: "POST",
      url: "/things",
      headers: { origin: "https://anyone.example" },
    });
    expect(answer.headers["access-control-allow-origin"]).toBe("*");
    expect(answer.headers.vary).toBeUndefined();
  });
});
