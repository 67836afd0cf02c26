import { type ChildProcess, spawn } from "node:child_process";
import { createConnection } from "node:net";
import { SOURCE_EXEC_ARGV } from "@tidings/testing";

/** A service process of the local cluster. */
export interface ServiceProcess {
  readonly name: string;
  readonly port: number;
  /** The variables it was started with besides the inherited ones (its ports among them). */
  readonly env: Readonly<Record<string, string>>;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
}

const ROOT = new URL("../../", import.meta.url).pathname;

/** Workspace folders of the three services. */
export const SERVICE_DIRS = {
  records: "services/records",
  evaluator: "services/evaluator",
  gateway: "services/gateway",
} as const;

/**
 * Node's arguments for a service: its TypeScript source through tsx (development), or its
 * compiled `dist/main.js` as the image runs it (after `npm run build`).
 */
export function entryArgs(entry: keyof typeof SERVICE_DIRS, built: boolean): string[] {
  const dir = SERVICE_DIRS[entry];
  return built
    ? ["--enable-source-maps", `${dir}/dist/main.js`]
    : [...SOURCE_EXEC_ARGV, `${dir}/src/main.ts`];
}

/** The environment without its TIDINGS_* variables. */
function withoutTidings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("TIDINGS_")));
}

/**
 * Starts a service as its own process (as a container would run it), with its output prefixed
 * by its name.
 */
export function startService(
  name: string,
  entry: keyof typeof SERVICE_DIRS,
  port: number,
  env: Record<string, string>,
  output: (line: string) => void,
  built = false,
): ServiceProcess {
  // Node itself with tsx as its loader, not the tsx CLI: the CLI runs the service in a child of
  // its own, so a SIGKILL (a fault test's crash) would reach the CLI and leave the service running.
  const child = spawn(process.execPath, entryArgs(entry, built), {
    cwd: ROOT,
    // The caller's own TIDINGS_* variables stay out: each service gets exactly the ones given.
    env: { ...withoutTidings(process.env), ...env, TIDINGS_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream?.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) output(`${name.padEnd(12)} ${line}`);
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { name, port, env: { ...env, TIDINGS_PORT: String(port) }, child, exited };
}

/** Whether something accepts connections on the port right now. */
export function isListening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ host, port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Resolves once something accepts connections on the port (or rejects after `timeoutMs`). */
export async function waitForPort(
  port: number,
  timeoutMs = 60_000,
  host = "127.0.0.1",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isListening(port, host)) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Stops a process: SIGTERM (graceful shutdown), then SIGKILL after `graceMs`. */
export async function stopService(service: ServiceProcess, graceMs = 30_000): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill("SIGTERM");
  const timer = setTimeout(() => service.child.kill("SIGKILL"), graceMs);
  await service.exited;
  clearTimeout(timer);
}
