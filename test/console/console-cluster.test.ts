import { launchChromium } from "@tidings/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProcessCluster, startProcessCluster } from "../support/process-cluster.ts";
import {
  openConsole,
  poll,
  SIGNED_IN_TOKEN,
  scriptProblems,
  section,
  signIn,
} from "./console-browser.ts";

const SUPERUSER = { email: "admin@example.com", password: "console cluster password" };

// `npm run cluster`'s processes (records, evaluator, gateway) behind its entry proxy: the console
// is served by records, its live views go to the gateway, its cluster view gathers every process.
describe("the admin console on a cluster, through the entry proxy", () => {
  let running: ProcessCluster;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const launching = launchChromium();
    launching.catch(() => {});
    running = await startProcessCluster({
      env: {
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
      },
    });
    base = running.cluster.entryUrl;
    browser = await launching;
  });

  afterAll(async () => {
    await browser?.close();
    await running?.[Symbol.asyncDispose]();
  });

  it("signs in, follows a collection live and shows every process", async () => {
    const tab = await openConsole(browser, base);
    await signIn(tab, SUPERUSER.email, SUPERUSER.password);
    const { page } = tab;
    const token = String(await page.evaluate(SIGNED_IN_TOKEN));
    const rest = (method: string, path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const made = await rest("POST", "/api/collections", {
      name: "notes",
      fields: [{ name: "title", type: "text" }],
      listRule: "",
    });
    expect(made.status).toBe(201);

    await section(tab, "Records");
    await page.getByLabel("Collection").selectOption("notes");
    await page.locator('.live[data-state="live"]').waitFor();
    const written = await rest("POST", "/api/collections/notes/records", { title: "from afar" });
    const { id } = (await written.json()) as { id: string };
    await page.locator(`table[aria-label="Records"] tr.fresh[data-id="${id}"]`).waitFor();
    await tab.screenshot("cluster-records");

    await section(tab, "Cluster");
    const processes = page.getByRole("table", { name: "Processes" });
    await poll(async () =>
      (await processes.locator("tbody tr td:first-child").allTextContents()).sort(),
    ).toEqual(["evaluator", "gateway", "records"]);
    const gateways = page.getByRole("table", { name: "Gateways" }).locator("tbody tr");
    await poll(() => gateways.count()).toBe(1);
    // The records page's live connection was closed on leaving it; this page holds none.
    await poll(() =>
      page.getByRole("table", { name: "Evaluators" }).locator("tbody tr").count(),
    ).toBe(1);
    await tab.screenshot("cluster-view");

    await section(tab, "Realtime");
    const clients = page.getByRole("heading", { name: /^Gateway / });
    await poll(() => clients.count()).toBe(1);
    expect(scriptProblems(tab)).toEqual([]);
  });
});
