import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** A TCP port that was free a moment ago on 127.0.0.1, for a server a test starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no free port");
  return address.port;
}

/** True while a spawned server has neither exited nor been killed by a signal. */
export function isRunning(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

/**
 * Stops a spawned server by PID: SIGTERM so it shuts down cleanly, SIGKILL if it is still there
 * after `graceMs`; resolves once it exited. Nothing to do for one already gone.
 */
export async function terminate(child: ChildProcess | undefined, graceMs = 5_000): Promise<void> {
  if (!isRunning(child) || child.pid === undefined) return;
  const { pid } = child;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(pid, "SIGTERM");
  const killer = setTimeout(() => process.kill(pid, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(killer);
}
