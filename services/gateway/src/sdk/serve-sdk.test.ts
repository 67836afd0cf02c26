import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { clientBrowserBuildDir, serveSdk } from "./serve-sdk.ts";

describe("the client SDK's browser builds at /sdk/", () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function appOn(options: { dir?: string } = {}) {
    dir = await mkdtemp(join(tmpdir(), "tidings-sdk-route-"));
    const app = Fastify();
    serveSdk(app, { dir, ...options });
    return app;
  }

  it("serves each build as JavaScript with a validator, and nothing else", async () => {
    const app = await appOn();
    await writeFile(join(dir, "tidings-client.js"), "export const a = 1;");
    await writeFile(join(dir, "tidings-client.iife.js"), "var Tidings = {};");
    await writeFile(join(dir, "other.js"), "leaked");
    const module = await app.inject("/sdk/tidings-client.js");
    expect(module.statusCode).toBe(200);
    expect(module.body).toBe("export const a = 1;");
    expect(module.headers).toMatchObject({
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
    const again = await app.inject({
      url: "/sdk/tidings-client.js",
      headers: { "if-none-match": module.headers.etag },
    });
    expect(again.statusCode).toBe(304);
    expect((await app.inject("/sdk/tidings-client.iife.js")).body).toBe("var Tidings = {};");
    for (const url of ["/sdk/other.js", "/sdk/", "/sdk/../package.json"])
      expect((await app.inject(url)).statusCode, url).toBe(404);
    await app.close();
  });

  it("answers 503 UNAVAILABLE until the build exists, then serves it and its rebuilds", async () => {
    const app = await appOn();
    const missing = await app.inject("/sdk/tidings-client.js");
    expect(missing.statusCode).toBe(503);
    expect(missing.json()).toMatchObject({ code: "UNAVAILABLE", status: 503 });
    expect(missing.json().message).toContain("npm run build");

    const file = join(dir, "tidings-client.js");
    await writeFile(file, "first");
    expect((await app.inject("/sdk/tidings-client.js")).body).toBe("first");
    await writeFile(file, "second");
    // The route tells a rebuild by its modification time and size: a later build has new ones.
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    expect((await app.inject("/sdk/tidings-client.js")).body).toBe("second");
    await app.close();
  });

  it("finds the builds in the workspace's @tidings/client", () => {
    expect(clientBrowserBuildDir()).toMatch(/libs\/client\/dist\/browser$/);
  });
});
