import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@tidings/records";
import { type Standalone, standaloneExtraEnv, startStandalone } from "@tidings/standalone";
import { launchChromium } from "@tidings/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConsoleTab,
  openConsole,
  poll,
  SIGNED_IN_TOKEN,
  scriptProblems,
  section,
  signIn,
} from "./console-browser.ts";

const SUPERUSER = { email: "admin@example.com", password: "console test password" };
const BOB = { email: "bob@example.com", password: "bob's long password" };

// The single node on its embedded defaults (PGlite, the in-process bus), as `npm start` runs it.
describe("the admin console on a single node", () => {
  let node: Standalone;
  let base: string;
  let browser: Browser;
  let dataDir: string;
  let admin: ConsoleTab;

  beforeAll(async () => {
    const launching = launchChromium();
    launching.catch(() => {});
    dataDir = await mkdtemp(join(tmpdir(), "tidings-console-"));
    const config = loadConfig(
      {
        TIDINGS_DATA_DIR: dataDir,
        TIDINGS_PORT: "0",
        TIDINGS_GRPC_PORT: "0",
        TIDINGS_LOG_LEVEL: "silent",
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
      },
      standaloneExtraEnv,
    );
    node = await startStandalone(config, {});
    base = await node.records.app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launching;
  });

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("is served with its policy, and refuses to sign in anyone but a superuser", async () => {
    const page = await fetch(`${base}/_/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("content-security-policy")).not.toContain("unsafe");
    const bundle = await (await fetch(`${base}/_/console.js`)).text();
    expect(bundle).not.toContain(SUPERUSER.password);
    expect((await fetch(`${base}/_`, { redirect: "manual" })).headers.get("location")).toBe("/_/");

    await fetch(`${base}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(BOB),
    });
    const tab = await openConsole(browser, base);
    await tab.screenshot("sign-in");
    await tab.page.getByLabel("Email").fill(BOB.email);
    await tab.page.getByLabel("Password").fill(BOB.password);
    await tab.page.getByRole("button", { name: "Sign in" }).click();
    await tab.page.getByText("not a superuser").waitFor();
    await tab.page.context().close();
  });

  it("creates a collection with a rule, showing a rule error with its position as it is typed", async () => {
    admin = await openConsole(browser, base);
    await signIn(admin, SUPERUSER.email, SUPERUSER.password);
    const { page } = admin;
    await page.getByRole("link", { name: "New collection" }).click();
    await page.getByLabel("Name", { exact: true }).fill("posts");
    await page.getByRole("button", { name: "Add field" }).click();
    await page.getByLabel("Field name").nth(0).fill("title");
    await page.getByRole("button", { name: "Add field" }).click();
    await page.getByLabel("Field name").nth(1).fill("owner");
    await page.getByLabel("Field type").nth(1).selectOption("relation");
    await page.getByLabel("Related collection").fill("users");

    const listRule = page.locator("#rule-listRule");
    await page.locator('[data-rule="listRule"] input[type=checkbox]').uncheck();
    await listRule.fill("owner = @request.auth.id && titel = 'x'");
    const error = page.locator('[data-rule="listRule"] .rule-error');
    await poll(() => error.locator("p").getAttribute("data-position")).toBe("28");
    expect(await error.locator("p").textContent()).toContain('unknown field "titel"');
    expect(await error.locator("pre").textContent()).toBe(
      `owner = @request.auth.id && titel = 'x'\n${" ".repeat(28)}^`,
    );
    await admin.screenshot("rule-error");
    await listRule.fill("owner = @request.auth.id");
    await page.locator('[data-rule="listRule"] .rule-ok').waitFor();
    await page.getByRole("button", { name: "Create collection" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    expect(page.url()).toMatch(/#\/collections\/posts$/);
    await page.getByRole("list", { name: "Collections" }).getByText("posts").waitFor();
    await admin.screenshot("collections");
    expect(scriptProblems(admin)).toEqual([]);
  });

  it("creates users, one and many", async () => {
    const { page } = admin;
    await section(admin, "Users");
    await page.getByRole("button", { name: "New user" }).click();
    const form = page.getByRole("form", { name: "User" });
    await form.getByLabel("Email").fill("carol@example.com");
    await form.getByLabel("Name").fill("Carol");
    await form.getByRole("button", { name: "Create user" }).click();
    await page.getByRole("table", { name: "Users" }).getByText("carol@example.com").waitFor();
    await page.getByRole("button", { name: "Create many" }).click();
    await page.getByLabel(/One user per line/).fill("dan@example.com, Dan\nerin@example.com");
    await page.getByRole("button", { name: "Create 2 users" }).click();
    await page.getByRole("table", { name: "Users" }).getByText("erin@example.com").waitFor();
    await admin.screenshot("users");
    expect(scriptProblems(admin)).toEqual([]);
  });

  it("adds a record that a second page, watching as the user, sees arrive live", async () => {
    const watcher = await openConsole(browser, base);
    await signIn(watcher, SUPERUSER.email, SUPERUSER.password);
    await section(watcher, "Realtime");
    const w = watcher.page;
    await w.getByLabel("Collection").selectOption("posts");
    await w.getByLabel("Find a user").fill("bob@");
    await poll(() =>
      w.getByLabel("User", { exact: true }).locator("option").allTextContents(),
    ).toContain(BOB.email);
    await w.getByLabel("User", { exact: true }).selectOption({ label: BOB.email });
    await w.getByRole("button", { name: "Watch" }).click();
    await w.locator('.live[data-state="watching"]').waitFor();
    // The watch is a client of the node's gateway, with its user and subscription.
    const bobRow = w.locator("table[aria-label^='Clients of'] tbody tr", { hasText: "posts/*" });
    await poll(async () => {
      await w.getByRole("button", { name: "Refresh" }).click();
      return bobRow.count();
    }).toBe(1);

    const { page } = admin;
    const bobId = await w.getByLabel("User", { exact: true }).inputValue();
    expect(await bobRow.textContent()).toContain(bobId);
    await section(admin, "Records");
    await page.getByLabel("Collection").selectOption("posts");
    await page.locator('.live[data-state="live"]').waitFor();
    // One record of Bob's, one of Carol's: Bob's watch sees only his own.
    for (const [title, owner] of [
      ["not for bob", "nobody"],
      ["hello bob", bobId],
    ]) {
      await page.getByRole("button", { name: "New record" }).click();
      const form = page.getByRole("form", { name: "Record" });
      await form.getByLabel(/^title/).fill(title as string);
      if (owner !== "nobody") await form.getByLabel(/^owner/).fill(owner as string);
      await form.getByRole("button", { name: "Create record" }).click();
      await page
        .getByRole("table", { name: "Records" })
        .getByText(title as string)
        .waitFor();
    }
    const seen = w
      .getByRole("region", { name: "Watched changes" })
      .locator("tbody tr[data-action]");
    await poll(() => seen.count()).toBe(1);
    expect(await seen.first().textContent()).toContain("hello bob");
    expect(await seen.first().getAttribute("data-action")).toBe("created");
    await watcher.screenshot("realtime");

    // Someone else's write changes the table without a reload.
    const token = String(await w.evaluate(SIGNED_IN_TOKEN));
    const written = await fetch(`${base}/api/collections/posts/records`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "written elsewhere", owner: bobId }),
    });
    expect(written.status).toBe(201);
    const { id } = (await written.json()) as { id: string };
    await page.locator(`table[aria-label="Records"] tr.fresh[data-id="${id}"]`).waitFor();
    await poll(() => seen.count()).toBe(2);
    await admin.screenshot("records");
    expect(scriptProblems(admin)).toEqual([]);
    expect(scriptProblems(watcher)).toEqual([]);
    await w.context().close();
  });

  it("tries a rule as a user before it is saved", async () => {
    const { page } = admin;
    await section(admin, "Collections");
    await page
      .getByRole("list", { name: "Collections" })
      .getByRole("link", { name: "posts" })
      .click();
    await page.getByLabel("Find a user").fill("bob@");
    const users = page.getByLabel("User", { exact: true });
    await poll(() => users.locator("option").allTextContents()).toContain(BOB.email);
    await users.selectOption({ label: BOB.email });
    await page.getByRole("button", { name: "Try" }).click();
    const preview = page.getByRole("region", { name: "Records the user would see" });
    await poll(() => preview.getByRole("status").textContent()).toContain("would see 2 records");
    // Unsaved: opening the rule to everyone shows every record.
    await page.locator("#rule-listRule").fill("");
    await page.getByRole("button", { name: "Try" }).click();
    await poll(() => preview.getByRole("status").textContent()).toContain("would see 3 records");
    await admin.screenshot("try-as-user");
  });

  it("shows the cluster: the node's gateway, evaluator, outbox and dead letters", async () => {
    const { page } = admin;
    await section(admin, "Cluster");
    const gateways = page.getByRole("table", { name: "Gateways" });
    await poll(() => gateways.locator("tbody tr").count()).toBeGreaterThan(0);
    await poll(() =>
      page.getByRole("table", { name: "Evaluators" }).locator("tbody tr").count(),
    ).toBeGreaterThan(0);
    await page.getByRole("table", { name: "Dead letters" }).getByText("No dead letters").waitFor();
    await admin.screenshot("cluster");
    expect(scriptProblems(admin)).toEqual([]);
  });
});
