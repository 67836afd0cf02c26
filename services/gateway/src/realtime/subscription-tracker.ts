import type { Logger, RedisClient } from "@tidings/service";

/** What {@link trackSubscriptions} offers on the adapter's subscriber client. */
export interface SubscriptionTracker {
  /** Resolves once every SSUBSCRIBE sent before the call has been answered. */
  settled(): Promise<void>;
  /** From now on, failures are expected (the client is being closed) and logged at debug level. */
  closing(): void;
}

type Command = "ssubscribe" | "sunsubscribe";

/**
 * Wraps the subscriber's SSUBSCRIBE and SUNSUBSCRIBE, which `@socket.io/redis-adapter` sends
 * without waiting for or handling their replies: a failure is logged instead of surfacing as an
 * unhandled rejection (ioredis subscribes again when it reconnects), and SSUBSCRIBEs can be
 * awaited. On a Redis Cluster they go to one connection per master, so a PING on the client
 * would not tell when they are active; their own replies do.
 */
export function trackSubscriptions(sub: RedisClient, logger: Logger): SubscriptionTracker {
  const pending = new Set<Promise<void>>();
  let closing = false;
  const wrap = (command: Command) => {
    const send = sub[command].bind(sub) as (...channels: string[]) => Promise<unknown>;
    return (...channels: string[]) => {
      const reply = send(...channels);
      const settled = reply.then(
        () => {},
        (error: unknown) => {
          const fields = { err: error, channels };
          if (closing) logger.debug(fields, `redis: ${command} dropped while closing`);
          else logger.warn(fields, `redis: ${command} failed`);
        },
      );
      if (command === "ssubscribe") {
        pending.add(settled);
        void settled.finally(() => pending.delete(settled));
      }
      return reply;
    };
  };
  Object.assign(sub, { ssubscribe: wrap("ssubscribe"), sunsubscribe: wrap("sunsubscribe") });
  return {
    async settled() {
      await Promise.all([...pending]);
    },
    closing() {
      closing = true;
    },
  };
}
