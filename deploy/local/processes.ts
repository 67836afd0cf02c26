import { type ChildProcess, spawn } from "node:child_process";
import { createConnection } from "node:net";

/** A service process of the local cluster. */
export interface ServiceProcess {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
}

const ROOT = new URL("../../", import.meta.url).pathname;

/** Entry points of the three services. */
export const ENTRY_POINTS = {
  records: "services/records/src/main.ts",
  evaluator: "services/evaluator/src/main.ts",
  gateway: "services/gateway/src/main.ts",
} as const;

/**
 * Starts a service as its own process (as a container would run it), with its output prefixed
 * by its name.
 */
export function startService(
  name: string,
  entry: keyof typeof ENTRY_POINTS,
  port: number,
  env: Record<string, string>,
  output: (line: string) => void,
): ServiceProcess {
  // Node itself with tsx as its loader, not the tsx CLI: the CLI runs the service in a child of
  // its own, so a SIGKILL (a fault test's crash) would reach the CLI and leave the service running.
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY_POINTS[entry]], {
    cwd: ROOT,
    env: { ...process.env, ...env, TIDINGS_PORT: String(port) },
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
  return { name, port, child, exited };
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
