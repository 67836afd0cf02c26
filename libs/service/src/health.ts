import type { FastifyInstance } from "fastify";

/** What readiness depends on: each check resolves when its dependency answers. */
export type ReadinessCheck = () => Promise<void>;

/** Answers for probes and load balancers while the process runs. */
export interface Lifecycle {
  /** True once shutdown began: readiness fails so traffic moves elsewhere. */
  readonly draining: boolean;
  startDraining(): void;
}

/** A lifecycle flag for one process. */
export function createLifecycle(): Lifecycle {
  let draining = false;
  return {
    get draining() {
      return draining;
    },
    startDraining() {
      draining = true;
    },
  };
}

/**
 * `/healthz` (the process is alive) and `/readyz` (it can serve: not draining, and every check
 * passes within the timeout). Failures name the check, never the internal error.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  lifecycle: Lifecycle,
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2_000,
): void {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (request, reply) => {
    if (lifecycle.draining) return reply.status(503).send({ status: "draining" });
    const failed: string[] = [];
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeoutMs);
        } catch (error) {
          request.log.warn({ err: error, check: name }, "readiness check failed");
          failed.push(name);
        }
      }),
    );
    if (failed.length > 0)
      return reply.status(503).send({ status: "unavailable", failed: failed.sort() });
    return { status: "ready" };
  });
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
