import type { Prisma, PrismaClient } from "@tidings/db";

/** How long an accepted idempotency key is remembered: a repeat within this window is skipped. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How often expired keys are swept. */
export const IDEMPOTENCY_SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Records the keys inside the caller's transaction and returns those that were new. Claiming is
 * `INSERT … ON CONFLICT DO NOTHING RETURNING`: of concurrent transactions claiming one key, the
 * later ones wait for the first and then find it taken, so exactly one publishes the event.
 */
export async function claimKeys(
  tx: Prisma.TransactionClient,
  keys: readonly string[],
): Promise<Set<string>> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return new Set();
  const claimed = await tx.publishIdempotencyKey.createManyAndReturn({
    data: unique.map((key) => ({ key })),
    skipDuplicates: true,
    select: { key: true },
  });
  return new Set(claimed.map((row) => row.key));
}

/** The periodic deletion of expired idempotency keys. */
export interface IdempotencySweeper {
  /** Sweeps now, then every interval. */
  start(): void;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
  /** Deletes the keys older than the retention; returns how many. */
  sweep(): Promise<number>;
}

/** What the sweeper logs. */
export interface SweepLogger {
  warn(obj: object, msg?: string): void;
}

/**
 * Deletes keys older than the retention, so the table holds about one retention window of
 * traffic. Every replica sweeps; the deletes are idempotent, so that costs a little and needs no
 * coordination. A key lives between `retentionMs` and `retentionMs + intervalMs`.
 */
export function createIdempotencySweeper(
  prisma: PrismaClient,
  log: SweepLogger,
  options: {
    /** @default IDEMPOTENCY_RETENTION_MS */
    retentionMs?: number;
    /** @default IDEMPOTENCY_SWEEP_INTERVAL_MS */
    intervalMs?: number;
  } = {},
): IdempotencySweeper {
  const retentionMs = options.retentionMs ?? IDEMPOTENCY_RETENTION_MS;
  const intervalMs = options.intervalMs ?? IDEMPOTENCY_SWEEP_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const sweep = async () => {
    const { count } = await prisma.publishIdempotencyKey.deleteMany({
      where: { created: { lt: new Date(Date.now() - retentionMs) } },
    });
    return count;
  };
  const sweepLogged = () => {
    running = sweep().catch((error) => log.warn({ err: error }, "idempotency key sweep failed"));
  };
  return {
    sweep,
    start() {
      if (timer) return;
      sweepLogged();
      timer = setInterval(sweepLogged, intervalMs);
      // The sweep must not keep a process alive that is otherwise done.
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
