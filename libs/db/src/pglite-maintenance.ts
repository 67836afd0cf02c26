import type { PGlite } from "@electric-sql/pglite";

/** How often an embedded database is vacuumed and analysed. */
export interface MaintenanceOptions {
  /** @default 15000 */
  vacuumMs?: number;
  /** @default 300000 */
  analyzeMs?: number;
}

/**
 * PGlite runs PostgreSQL in single-user mode: no autovacuum launcher, so dead rows (every relayed
 * outbox row, every update and delete) would pile up for good, and tables and indexes would grow
 * and slow down as history accumulates. This does what autovacuum would: a VACUUM every few
 * seconds keeps each one short (tens of milliseconds at hundreds of writes per second), and an
 * ANALYZE now and then keeps the planner's statistics current. Returns the stop function.
 */
export function startPgliteMaintenance(
  pglite: Pick<PGlite, "exec">,
  options: MaintenanceOptions = {},
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  // A failed round (the database closing under it) is simply tried again at the next tick.
  const every = (ms: number, sql: string) =>
    setInterval(() => {
      running = running.then(() => pglite.exec(sql)).catch(() => {});
    }, ms).unref();
  const timers = [
    every(options.vacuumMs ?? 15_000, "VACUUM"),
    every(options.analyzeMs ?? 300_000, "ANALYZE"),
  ];
  return async () => {
    for (const timer of timers) clearInterval(timer);
    await running;
  };
}
