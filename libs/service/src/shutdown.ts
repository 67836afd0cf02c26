/** The structured logger every part is given: pino's signature (fields first, then message). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Minimal logger surface the lifecycle helpers write to. */
export type LifecycleLogger = Pick<Logger, "info" | "error">;

/** One step of an ordered shutdown. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

/**
 * Runs shutdown steps in order. A failing step is logged and the next one still runs, so one
 * broken dependency cannot keep the others open.
 */
export async function runShutdown(steps: ShutdownStep[], logger: LifecycleLogger): Promise<void> {
  for (const step of steps) {
    try {
      await step.run();
    } catch (error) {
      logger.error({ err: error, step: step.name }, "shutdown step failed");
    }
  }
}

/**
 * Calls `shutdown` once on SIGTERM or SIGINT, then exits. If shutdown overruns `deadlineMs`, or a
 * second signal arrives, the process exits at once with status 1.
 */
export function exitOnSignals(
  shutdown: () => Promise<void>,
  deadlineMs: number,
  logger: LifecycleLogger,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.error({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, deadlineMs }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ deadlineMs }, "shutdown overran its deadline: exiting");
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    shutdown().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
