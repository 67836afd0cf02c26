import { execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { launchChromium } from "@tidings/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { installPackedClient, type ScratchProject } from "./packed-client.ts";
import { type StaticSite, startStaticSite } from "./static-site.ts";

const TSC = new URL("../../node_modules/typescript/bin/tsc", import.meta.url).pathname;
const BROWSER_FILES = ["tidings-client.js", "tidings-client.iife.js"];

// An app's Node script: a refused subscription, then one change, then it closes.
const NODE_SCRIPT = `
import { createClient, isNotFound } from "@tidings/client";

const client = createClient(process.argv[2], { socket: { transports: ["websocket"] } });
const refused = await client.collection("missing").subscribe("*", () => {}).catch((error) => error);
console.log(JSON.stringify({ refusedAsNotFound: isNotFound(refused) }));
await client.collection("notes").subscribe("*", (change) => {
  console.log(JSON.stringify({ change }));
  client.close();
});
console.log(JSON.stringify({ ready: true }));
`;

// An app's TypeScript against the installed types; the expected error proves they are not `any`.
const TYPED_SCRIPT = `
import { type Change, createClient, isRateLimited, type TidingsClient } from "@tidings/client";

interface Note { title: string }
const client: TidingsClient = createClient("http://127.0.0.1:8090");
await client.collection<Note>("notes").subscribe("*", (change: Change<Note>) => {
  if (change.action === "created") console.log(change.record.title.toUpperCase());
});
console.log(isRateLimited(new Error("no")));
// @ts-expect-error: a ConnectionState is not a number
const state: number = client.state;
`;

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    module: "nodenext",
    target: "es2022",
    strict: true,
    noEmit: true,
    // The package's declarations are checked too, against a browser's globals and no Node types.
    skipLibCheck: false,
    types: [],
    lib: ["es2022", "dom"],
  },
  files: ["typed.ts"],
});

/**
 * A page of an app that records what it receives: `head` loads the SDK, `prelude` (the start of a
 * module script) gives it `createClient`.
 */
function appPage(serverUrl: string, head: string, prelude: string): string {
  return `<!doctype html>
<meta charset="utf-8" />
<title>An app</title>
<link rel="icon" href="data:," />
${head}
<script type="module">
  ${prelude}
  window.changes = [];
  createClient(${JSON.stringify(serverUrl)})
    .collection("notes")
    .subscribe("*", (change) => window.changes.push(change))
    .then(() => { window.ready = true; }, (error) => { window.failed = error.code + ": " + error.message; });
</script>`;
}

describe("the packed client, installed outside the workspace", () => {
  let cluster: Cluster;
  let project: ScratchProject;
  let site: StaticSite;
  let browser: Browser;
  const cleanups: Array<() => PromiseLike<unknown>> = [];

  beforeAll(async () => {
    const launching = launchChromium();
    launching.catch(() => {}); // awaited below; until then not an unhandled rejection
    cleanups.push(() => launching.then((launched) => launched.close()));
    const installing = installPackedClient();
    installing.catch(() => {});
    cleanups.push(() => installing.then((installed) => installed[Symbol.asyncDispose]()));
    cluster = await startCluster();
    cleanups.push(() => cluster[Symbol.asyncDispose]());
    await cluster.collection({
      name: "notes",
      fields: [{ name: "title", type: "text" }],
      listRule: "",
      viewRule: "",
      createRule: "",
    });
    project = await installing;
    browser = await launching;
    const url = cluster.nodes[0]!.url;
    await project.write("node-app.mjs", NODE_SCRIPT);
    await project.write("typed.ts", TYPED_SCRIPT);
    await project.write("tsconfig.json", TSCONFIG);
    const served = `import { createClient } from "${url}/sdk/tidings-client.js";`;
    await project.write("served.html", appPage(url, "", served));
    const script = `<script src="/tidings-client.iife.js"></script>`;
    await project.write(
      "installed.html",
      appPage(url, script, "const { createClient } = Tidings;"),
    );
    site = await startStaticSite({
      "/served.html": join(project.dir, "served.html"),
      "/installed.html": join(project.dir, "installed.html"),
      "/tidings-client.iife.js": join(project.packageDir, "dist/browser/tidings-client.iife.js"),
    });
    cleanups.push(() => site[Symbol.asyncDispose]());
  }, 90_000);

  // Independent of each other: one that fails must not leave the others running.
  afterAll(() => Promise.allSettled(cleanups.map((cleanup) => cleanup())));

  const create = async (title: string) => {
    const answer = await cluster.call("POST", "/api/collections/notes/records", {
      body: { title },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  };

  it("needs nothing from the workspace: socket.io-client is its only dependency", async () => {
    const manifest = JSON.parse(await readFile(join(project.packageDir, "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies)).toEqual(["socket.io-client"]);
    for (const file of ["index.js", "index.d.ts", ...BROWSER_FILES.map((f) => `browser/${f}`)]) {
      const text = await readFile(join(project.packageDir, "dist", file), "utf8");
      expect(text, file).not.toMatch(/(from|import\(|require\()\s*["']@tidings\//);
    }
  });

  it("type-checks an app's TypeScript against its declarations", async () => {
    const checked = await promisify(execFile)(process.execPath, [TSC, "-p", project.dir]).catch(
      (error: { stdout: string }) => error,
    );
    expect(checked.stdout).toBe("");
  });

  it("works from Node: typed errors, then a live change", async () => {
    const child = spawn(process.execPath, ["node-app.mjs", cluster.nodes[0]!.url], {
      cwd: project.dir,
      env: { PATH: process.env.PATH },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const lines: Record<string, unknown>[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(JSON.parse(line));
      if ("ready" in lines.at(-1)!) await create("from Node");
    }
    expect(await exited).toBe(0);
    expect(lines).toEqual([
      { refusedAsNotFound: true },
      { ready: true },
      {
        change: expect.objectContaining({
          action: "created",
          record: expect.objectContaining({ title: "from Node" }),
          seq: expect.any(Number),
        }),
      },
    ]);
  });

  it("serves the same browser builds at /sdk/", async () => {
    for (const name of BROWSER_FILES) {
      const served = await fetch(`${cluster.nodes[0]!.url}/sdk/${name}`);
      expect(served.status, name).toBe(200);
      expect(served.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      const installed = await readFile(join(project.packageDir, "dist/browser", name));
      expect(Buffer.from(await served.arrayBuffer()).equals(installed), name).toBe(true);
    }
  });

  it.each([
    ["served.html", "the ES module served at /sdk/"],
    ["installed.html", "the script-tag build of the installed package"],
  ])("works in Chromium from %s (%s)", async (path) => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    await page.goto(`${site.url}/${path}`);
    await page.waitForFunction("window.ready || window.failed", null, { timeout: 10_000 });
    expect(await page.evaluate("window.failed")).toBeUndefined();
    const title = `from ${path}`;
    await create(title);
    const received = `window.changes.find((change) => change.record.title === ${JSON.stringify(title)})`;
    await page.waitForFunction(received, null, { timeout: 10_000 });
    expect(await page.evaluate(received)).toMatchObject({
      action: "created",
      record: { title },
      seq: expect.any(Number),
    });
    expect(problems).toEqual([]);
    await page.close();
  });
});
