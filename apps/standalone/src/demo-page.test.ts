import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@tidings/records";
import { launchChromium, TEST_NATS_URL, withNats, withPostgres } from "@tidings/testing";
import Fastify from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPage } from "./demo-page.ts";
import { type Standalone, standaloneExtraEnv, startStandalone } from "./start-standalone.ts";

const SUPERUSER = { email: "admin@example.com", password: "demo page password" };
/** Where the last run's screenshot goes (overwritten each run): look at it to judge the layout. */
const SCREENSHOT = join(tmpdir(), "tidings-demo-page.png");
/** Waits for the page to show something: live changes take a trip through the bus. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 25 });

describe("demo page routes", () => {
  it("serve the page and its assets with types, validators and a policy, and nothing else", async () => {
    const app = Fastify();
    await app.register(demoPage);
    const page = await app.inject("/?collection=posts");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(page.body).toContain('src="/socket.io/socket.io.min.js"');
    const again = await app.inject({ url: "/", headers: { "if-none-match": page.headers.etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
    const script = await app.inject("/demo/live-view.js");
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(script.headers["x-content-type-options"]).toBe("nosniff");
    expect((await app.inject("/demo/live-view.css")).headers["content-type"]).toBe(
      "text/css; charset=utf-8",
    );
    for (const url of ["/demo/index.html", "/demo/../package.json", "/index.html", "/api/x"])
      expect((await app.inject(url)).statusCode, url).toBe(404);
    await app.close();
  });
});

describe("demo page in Chromium", () => {
  let node: Standalone;
  let address: string;
  let browser: Browser;
  let admin: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    // Chromium starts while the server does: the two are the slow part of this file.
    const launching = launchChromium();
    // Awaited below; until then a failed launch must not count as an unhandled rejection.
    launching.catch(() => {});
    cleanups.push(() => launching.then((launched) => launched.close()));
    const [pg, nats] = await Promise.all([withPostgres(), withNats()]);
    cleanups.push(
      () => pg.drop(),
      () => nats.cleanup(),
    );
    const config = loadConfig(
      {
        TIDINGS_DATABASE_URL: pg.url,
        TIDINGS_NATS_URL: TEST_NATS_URL,
        TIDINGS_NATS_PREFIX: nats.prefix,
        TIDINGS_PORT: "0",
        TIDINGS_GRPC_PORT: "0",
        TIDINGS_JWT_SECRET: "a-test-secret-of-at-least-32-characters",
        TIDINGS_LOG_LEVEL: "silent",
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
      },
      standaloneExtraEnv,
    );
    node = await startStandalone(config, {});
    cleanups.unshift(() => node.stop());
    address = await node.records.app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launching;
    admin = (await rest("POST", "/api/auth/login", SUPERUSER)).token as string;
    await rest("POST", "/api/collections", {
      name: "notes",
      fields: [
        { name: "title", type: "text", required: true },
        { name: "done", type: "bool" },
      ],
      listRule: "",
      viewRule: "",
    });
  });

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  async function rest(method: string, path: string, body?: object) {
    const response = await fetch(`${address}${path}`, {
      method,
      headers: {
        ...(admin ? { authorization: `Bearer ${admin}` } : {}),
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  }

  /** A fresh page that fails the test on any script error or console error (CSP included). */
  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    await page.goto(`${address}${path}`);
    return { page, problems };
  }

  it("lists the records, then shows each create, update and delete as it happens", async () => {
    const first = await rest("POST", "/api/collections/notes/records", { title: "Existing" });
    const { page, problems } = await open("/?collection=notes");
    const row = (id: unknown) => page.locator(`#records tbody tr[data-id="${String(id)}"]`);
    await poll(() => row(first.id).locator('td[data-field="title"]').textContent()).toBe(
      "Existing",
    );
    await page.locator('#state[data-state="live"]').waitFor();
    expect(await page.locator("#state").textContent()).toContain("websocket");

    // Record data is text, never markup.
    const markup = '<img src="x" onerror="window.pwned = 1">';
    const created = await rest("POST", "/api/collections/notes/records", { title: markup });
    await poll(() => row(created.id).locator('td[data-field="title"]').textContent()).toBe(markup);
    expect(await page.locator("#records img").count()).toBe(0);
    expect(await page.locator("#records tbody tr").first().getAttribute("data-id")).toBe(
      created.id,
    );

    await rest("PATCH", `/api/collections/notes/records/${created.id}`, {
      title: "Renamed",
      done: true,
    });
    await poll(() => row(created.id).locator('td[data-field="title"]').textContent()).toBe(
      "Renamed",
    );
    expect(await row(created.id).locator('td[data-field="done"]').textContent()).toBe("true");

    await rest("DELETE", `/api/collections/notes/records/${first.id}`);
    await row(first.id).waitFor({ state: "detached" });

    const log = page.locator("#log li");
    await poll(() => log.count()).toBe(3);
    const entries = await log.allTextContents();
    expect(entries[0]).toMatch(new RegExp(`deleted.*${first.id} · seq \\d+`));
    expect(entries[1]).toMatch(/updated.* · seq \d+/);
    expect(entries[2]).toMatch(/created.* · seq \d+/);
    expect(await page.locator("#seq").textContent()).toMatch(/^\(last seq \d+\)$/);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("says readably why it cannot subscribe, and keeps the token it was given", async () => {
    const { page, problems } = await open("/?collection=nope");
    await page.locator("#error:not([hidden])").waitFor();
    expect(await page.locator("#error").textContent()).toBe(
      'Cannot subscribe: NOT_FOUND: There is no collection "nope".',
    );

    await page.fill("#token", "not-a-token");
    await page.fill("#collection", "notes");
    await page.click("button[type=submit]");
    await poll(() => page.locator("#error").textContent()).toMatch(
      /^Connection refused: UNAUTHORIZED: /,
    );
    expect(page.url()).toBe(`${address}/?collection=notes`);
    expect(await page.evaluate('localStorage.getItem("tidings.demo.token")')).toBe("not-a-token");
    // The refused handshake is logged by Chromium as a failed request, not a script error.
    expect(problems.filter((text) => !text.includes("Failed to load resource"))).toEqual([]);
    await page.close();
  });
});
