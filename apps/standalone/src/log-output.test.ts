import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { eventually, SOURCE_EXEC_ARGV, type TestDatabase, withPostgres } from "@tidings/testing";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
/** `npm start`, as its script runs it. */
const COMMAND = [process.execPath, ...SOURCE_EXEC_ARGV, "apps/standalone/src/main.ts"];
/** What a 404 for a URL carrying a credential leaves in the log. */
const PROBED = "/api/nowhere?token=abc";
const REDACTED = "/api/nowhere?token=[Redacted]";

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A running `npm start` and what it printed so far, one entry a line, colours stripped. */
interface Started {
  lines: string[];
  address: string;
}

/**
 * Starts the single node on a database of its own (PostgreSQL starts faster than a fresh PGlite),
 * under a pseudo-terminal (`script` from util-linux) when `terminal`, or with stdout a pipe.
 */
async function startNode(terminal: boolean): Promise<Started> {
  const db: TestDatabase = await withPostgres();
  const dataDir = await mkdtemp(join(tmpdir(), "tidings-log-output-"));
  // Only this test's settings: the caller's TIDINGS_* or OTEL_* would change what starts.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(TIDINGS|OTEL)_/.test(key)),
  );
  const child: ChildProcess = spawn(
    terminal ? "script" : (COMMAND[0] as string),
    terminal ? ["-qfec", `exec ${COMMAND.join(" ")}`, "/dev/null"] : COMMAND.slice(1),
    {
      cwd: ROOT,
      env: {
        ...inherited,
        TIDINGS_HOST: "127.0.0.1",
        TIDINGS_PORT: "0",
        TIDINGS_DATABASE_URL: db.url,
        TIDINGS_JWT_SECRET: "a secret of this test only, 32+ characters",
        TIDINGS_DATA_DIR: dataDir,
        TIDINGS_LOG_LEVEL: "info",
      },
      // stdin stays open: `script` ends the session when its input does. Its own stderr only
      // says that it ended (the server's goes to the terminal, as its stdout).
      stdio: ["pipe", "pipe", terminal ? "ignore" : "inherit"],
    },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  cleanups.push(
    () => db.drop(),
    () => rm(dataDir, { recursive: true, force: true }),
    async () => {
      // `script` passes SIGTERM on to the server, which shuts down as on Ctrl+C.
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  );
  const lines: string[] = [];
  let rest = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split(/\r?\n/);
    rest = parts.pop() ?? "";
    lines.push(...parts.map((line) => stripVTControlCharacters(line)));
  });
  let address = "";
  await eventually(() => {
    expect(child.exitCode).toBeNull();
    const banner = lines.find((line) => line.includes("Tidings is listening on "));
    address = banner?.match(/listening on (\S+)/)?.[1] ?? "";
    expect(address).not.toBe("");
  }, 60_000);
  expect((await fetch(`${address}${PROBED}`)).status).toBe(404);
  await eventually(() => expect(lines.join("\n")).toContain(REDACTED));
  return { lines, address };
}

describe("npm start's log output", () => {
  it("is readable lines on a terminal and JSON lines through a pipe", async () => {
    // Both at once: the start, not the check, is what takes time.
    const [onTerminal, piped] = await Promise.all([startNode(true), startNode(false)]);

    const printed = (lines: string[]) => lines.filter((line) => line.trim() !== "");
    // Time, level, message and the other fields on one line; the first line printed is one.
    const pretty = /^\[\d\d:\d\d:\d\d\.\d{3}\] [A-Z]+: /;
    expect(printed(onTerminal.lines)[0]).toMatch(pretty);
    const logged = onTerminal.lines.filter((line) => pretty.test(line));
    expect(logged).toContainEqual(
      expect.stringMatching(
        / INFO: gRPC publish API \(tidings\.v1\.Publisher\) listening \{"port":\d+/,
      ),
    );
    expect(logged).toContainEqual(
      expect.stringMatching(
        / INFO: GET \/api\/nowhere\?token=\[Redacted\] 404 [\d.]+ ms \{"reqId":"[^"]+"/,
      ),
    );
    expect(onTerminal.lines.filter((line) => line.startsWith("{"))).toEqual([]);

    expect(JSON.parse(printed(piped.lines)[0] ?? "")).toMatchObject({
      level: expect.any(Number),
      time: expect.any(Number),
      msg: expect.any(String),
    });
    const json = piped.lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
    expect(json).toContainEqual(
      expect.objectContaining({
        level: 30,
        msg: "gRPC publish API (tidings.v1.Publisher) listening",
        port: expect.any(Number),
      }),
    );
    expect(json).toContainEqual(
      expect.objectContaining({
        level: 30,
        msg: "request completed",
        method: "GET",
        url: REDACTED,
        statusCode: 404,
        reqId: expect.any(String),
      }),
    );
    // Nothing else but the start-up banner, which is for people either way.
    expect(piped.lines.filter((line) => line.startsWith("["))).toEqual([]);
  });
});
