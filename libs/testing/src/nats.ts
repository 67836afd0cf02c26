import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, isRunning, terminate } from "./local-servers.ts";
import { natsRequests } from "./nats-wire.ts";

/** NATS server (with JetStream) that integration tests share. @default nats://127.0.0.1:4222 */
export const TEST_NATS_URL = process.env.TIDINGS_TEST_NATS_URL ?? "nats://127.0.0.1:4222";

/** A subject prefix of its own on the shared NATS server, for one test. */
export interface TestNats extends AsyncDisposable {
  readonly url: string;
  /** Unique prefix (`t_<hex>`): give it to the bus so its streams and subjects are this test's. */
  readonly prefix: string;
  /** Deletes every stream that stores subjects under the prefix. */
  cleanup(): Promise<void>;
}

interface ApiReply {
  error?: { code: number; description: string };
  streams?: string[] | null;
}

/** Sends JetStream API requests (`$JS.API.<api>`) and returns the parsed replies. */
export async function jetStreamApi(
  url: string,
  calls: Array<{ api: string; body?: object }>,
  timeoutMs = 5_000,
): Promise<ApiReply[]> {
  const replies = await natsRequests(
    url,
    calls.map(({ api, body }) => ({
      subject: `$JS.API.${api}`,
      payload: body ? JSON.stringify(body) : "",
    })),
    timeoutMs,
  );
  return replies.map((reply) => JSON.parse(reply) as ApiReply);
}

async function deleteStreamsUnder(url: string, prefix: string): Promise<void> {
  const [names] = await jetStreamApi(url, [
    { api: "STREAM.NAMES", body: { subject: `${prefix}.>` } },
  ]);
  const streams = names?.streams ?? [];
  if (streams.length > 0)
    await jetStreamApi(
      url,
      streams.map((name) => ({ api: `STREAM.DELETE.${name}` })),
    );
}

/**
 * Gives a test its own prefix on the shared NATS server and deletes the streams under it on
 * dispose; use with `await using`. Fails at once, with the URL, when JetStream is unreachable.
 */
export async function withNats(url = TEST_NATS_URL): Promise<TestNats> {
  try {
    await jetStreamApi(url, [{ api: "INFO" }]);
  } catch (error) {
    throw new Error(`no NATS JetStream at ${url} (set TIDINGS_TEST_NATS_URL)`, { cause: error });
  }
  const prefix = `t_${randomBytes(6).toString("hex")}`;
  const cleanup = () => deleteStreamsUnder(url, prefix);
  return { url, prefix, cleanup, [Symbol.asyncDispose]: cleanup };
}

/** A NATS server process of a test's own, for tests that stop and restart the server. */
export interface NatsServerProcess extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** JetStream store directory; it survives `stop()`/`start()` and is removed on dispose. */
  readonly storeDir: string;
  /** Stops the server (SIGTERM to its PID, SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store, and waits until JetStream answers. */
  start(): Promise<void>;
}

async function waitForJetStream(
  monitorUrl: string,
  child: ChildProcess,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`nats-server exited with ${child.exitCode}: ${log()}`);
    // The monitoring port answers over plain HTTP whatever TLS or auth the clients' port requires,
    // and /healthz is ok once JetStream is (in a cluster: once the meta group has a leader).
    try {
      const answer = await fetch(`${monitorUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (answer.ok) return;
    } catch {}
    if (Date.now() > deadline)
      throw new Error(`nats-server at ${monitorUrl} did not start in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** @default "nats-server" on the PATH */
  binary?: string;
  /** Client port. @default a free one */
  port?: number;
  /**
   * More of the server's configuration, in its config-file syntax (`tls { … }`,
   * `authorization { … }`, `cluster { … }`, `server_name: …`); written to a file beside the store.
   */
  config?: string;
  /** Longest wait for JetStream to be ready (a cluster needs its peers). @default 10000 */
  readyTimeoutMs?: number;
}

/**
 * Starts `nats-server -js` on a free port with a fresh store directory, and `config` (TLS,
 * authorization, a cluster) when given; resolves once its JetStream is ready.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
  const binary = options.binary ?? "nats-server";
  const port = options.port ?? (await freePort());
  const monitorPort = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "tidings-nats-"));
  const storeDir = join(dir, "store");
  const configFile = join(dir, "server.conf");
  await writeFile(configFile, options.config ?? "");
  const url = `nats://127.0.0.1:${port}`;
  const args = ["-c", configFile, "-a", "127.0.0.1", "-p", String(port), "-m", String(monitorPort)];
  let child: ChildProcess | undefined;

  const start = async () => {
    if (isRunning(child)) return;
    const spawned = spawn(binary, [...args, "-js", "-sd", storeDir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child = spawned;
    // The end of its log, for the error when it does not start.
    let log = "";
    spawned.stderr?.on("data", (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-2_000);
    });
    const failed = new Promise<never>((_, reject) => spawned.once("error", reject));
    const monitorUrl = `http://127.0.0.1:${monitorPort}`;
    await Promise.race([
      waitForJetStream(monitorUrl, spawned, options.readyTimeoutMs ?? 10_000, () => log),
      failed,
    ]);
  };
  const stop = () => terminate(child);
  const dispose = async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await dispose();
    throw error;
  }
  return { url, port, storeDir, stop, start, [Symbol.asyncDispose]: dispose };
}
