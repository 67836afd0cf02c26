import { type ChildProcess, fork } from "node:child_process";

const running = new Set<ChildProcess>();

/**
 * Forks a bench script (TypeScript through the tsx loader this process runs under) with its
 * config as the first argument, and keeps track of it so none outlives the bench.
 */
export function forkScript(url: URL, config: unknown, execArgv: string[] = []): ChildProcess {
  const child = fork(url, [JSON.stringify(config)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [...process.execArgv, ...execArgv],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** Resolves with the child's next message of that type; rejects if the child exits first. */
export function nextReply<R extends { type: string }, T extends R["type"]>(
  child: ChildProcess,
  type: T,
): Promise<Extract<R, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: R) => {
      if (reply.type !== type) return;
      cleanup();
      resolve(reply as Extract<R, { type: T }>);
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
export function ask<R extends { type: string }, T extends R["type"]>(
  child: ChildProcess,
  command: unknown,
  type: T,
): Promise<Extract<R, { type: T }>> {
  const reply = nextReply<R, T>(child, type);
  child.send(command as object);
  return reply;
}

/** Stops a child (SIGTERM, or SIGKILL to crash it) and waits until it is gone. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
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
