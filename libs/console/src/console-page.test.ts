import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consolePage } from "./console-page.ts";

describe("console page routes", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tidings-console-page-"));
    await writeFile(join(dir, "index.html"), "<!doctype html><title>console</title>");
    await writeFile(join(dir, "console.js"), "export {};");
    await writeFile(join(dir, "console.css"), "body{}");
    await writeFile(join(dir, "notes.txt"), "not served");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("serve the page with the strict policy, its files, and nothing else", async () => {
    const app = Fastify();
    await app.register(consolePage, { dir });
    const page = await app.inject("/_/");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    const policy = String(page.headers["content-security-policy"]);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain("unsafe");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect((await app.inject("/_/console.js")).headers["content-type"]).toBe(
      "text/javascript; charset=utf-8",
    );
    expect((await app.inject("/_/console.css")).headers["content-type"]).toBe(
      "text/css; charset=utf-8",
    );
    const bare = await app.inject("/_");
    expect(bare.statusCode).toBe(308);
    expect(bare.headers.location).toBe("/_/");
    for (const url of ["/_/notes.txt", "/_/index.html", "/_/../package.json", "/_/x/console.js"])
      expect((await app.inject(url)).statusCode, url).toBe(404);
    await app.close();
  });

  it("answer 503 saying how to build it when there is no build, and the server still starts", async () => {
    const app = Fastify({ logger: false });
    await app.register(consolePage, { dir: join(dir, "missing") });
    for (const url of ["/_/", "/_/console.js"]) {
      const answer = await app.inject(url);
      expect(answer.statusCode, url).toBe(503);
      expect(answer.json()).toMatchObject({ code: "UNAVAILABLE" });
      expect(answer.json().message).toContain("npm run build");
    }
    await app.close();
  });
});
