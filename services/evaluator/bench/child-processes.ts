import { type ChildProcess, fork } from "node:child_process";
import type { Command, Reply } from "./emit-protocol.ts";

const running = new Set<ChildProcess>();

/**
 * Forks a bench script (TypeScript through the tsx loader this process runs under) and keeps
 * track of it, so `killAll` — on exit, error or Ctrl-C — leaves no node or emitter behind.
 */
export function forkScript(url: URL, config: unknown): ChildProcess {
  const child = fork(url, [JSON.stringify(config)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** Resolves with the child's next reply of that type; rejects if the child exits first. */
export function nextReply<T extends Reply["type"]>(
  child: ChildProcess,
  type: T,
): Promise<Extract<Reply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: Reply) => {
      if (reply.type !== type) return;
      cleanup();
      resolve(reply as Extract<Reply, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child ${child.pid} exited (${code}) while waiting for "${type}"`));
    };
    const cleanup = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Sends a command and waits for the reply of the given type. */
export function request<T extends Reply["type"]>(
  child: ChildProcess,
  command: Command,
  type: T,
): Promise<Extract<Reply, { type: T }>> {
  const reply = nextReply(child, type);
  child.send(command);
  return reply;
}

/** Stops the given children (all tracked ones by default) and waits until they are gone. */
export async function killAll(children: Iterable<ChildProcess> = running): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }),
  );
}

/** Kills every child on the way out, also on Ctrl-C and on a crash of this process. */
export function killChildrenOnExit(): void {
  const killNow = () => {
    for (const child of running) child.kill("SIGKILL");
  };
  process.once("exit", killNow);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      killNow();
      process.exit(130);
    });
}
