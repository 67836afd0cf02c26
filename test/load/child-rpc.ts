import { type ChildProcess, fork } from "node:child_process";
import { SOURCE_EXEC_ARGV } from "@tidings/testing";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A message to a child: a command name, its argument, and an id to match the answer. */
interface Call {
  id: number;
  command: string;
  argument: unknown;
}

/** A child's answer to a {@link Call}. */
type Answer = { id: number; result: unknown } | { id: number; error: string };

/** Handlers a child serves, by command name. */
export type Handlers = Record<string, (argument: never) => unknown>;

/** A forked bench process and a typed way to call its handlers. */
export interface Child<H extends Handlers> {
  readonly process: ChildProcess;
  readonly pid: number;
  call<C extends keyof H & string>(
    command: C,
    argument: Parameters<H[C]>[0],
  ): Promise<Awaited<ReturnType<H[C]>>>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
let killOnExit = false;

/**
 * Forks a TypeScript bench process through the tsx loader (explicitly: under vitest the parent
 * runs no loader to inherit). Its stdout and stderr go to this process's stderr, so the JSON on
 * stdout stays clean. Every child is killed when this process exits, whatever the reason.
 */
export function forkChild<H extends Handlers>(
  script: URL,
  name: string,
  execArgv: string[] = [],
): Child<H> {
  const child = fork(script, [], {
    cwd: ROOT,
    execArgv: [...SOURCE_EXEC_ARGV, ...execArgv],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "advanced",
  });
  for (const stream of [child.stdout, child.stderr])
    stream?.on("data", (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk}`));
  children.add(child);
  if (!killOnExit) {
    killOnExit = true;
    process.once("exit", () => {
      for (const running of children) running.kill("SIGKILL");
    });
  }
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      children.delete(child);
      resolve();
    }),
  );
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  child.on("message", (answer: Answer) => {
    const waiting = pending.get(answer.id);
    pending.delete(answer.id);
    if ("error" in answer) waiting?.reject(new Error(`${name}: ${answer.error}`));
    else waiting?.resolve(answer.result);
  });
  void exited.then(() => {
    for (const waiting of pending.values()) waiting.reject(new Error(`${name} exited`));
    pending.clear();
  });
  return {
    process: child,
    pid: child.pid as number,
    call(command, argument) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, command, argument } satisfies Call);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** In a child: answers the parent's calls with `handlers`; exits when the parent goes away. */
export function serve(handlers: Handlers): void {
  process.on("message", async ({ id, command, argument }: Call) => {
    const handler = handlers[command];
    try {
      if (!handler) throw new Error(`unknown command ${command}`);
      process.send?.({ id, result: await handler(argument as never) } satisfies Answer);
    } catch (error) {
      process.send?.({ id, error: String((error as Error).stack ?? error) } satisfies Answer);
    }
  });
  process.on("disconnect", () => process.exit(0));
}
