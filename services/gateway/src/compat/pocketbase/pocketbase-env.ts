import { envValue, parseEnv } from "@tidings/service";

/** Variables of the PocketBase-compatible realtime API (defaults are PocketBase's). */
export const pocketbaseEnv = {
  /** Seconds a PocketBase realtime stream may go without an event before the server closes it. */
  TIDINGS_POCKETBASE_IDLE_TIMEOUT: envValue.int(300, 1, 86_400),
  /** Seconds after which a PocketBase realtime stream is closed whatever it does. */
  TIDINGS_POCKETBASE_MAX_LIFETIME: envValue.int(1_800, 1, 604_800),
};

/** Stream lifetimes of the PocketBase-compatible realtime API. */
export interface PocketBaseOptions {
  idleTimeoutMs: number;
  maxLifetimeMs: number;
}

/** Reads {@link pocketbaseEnv} (already validated with the rest of the gateway's variables). */
export function pocketbaseOptions(env: NodeJS.ProcessEnv): PocketBaseOptions {
  const values = parseEnv(pocketbaseEnv, env).values;
  return {
    idleTimeoutMs: values.TIDINGS_POCKETBASE_IDLE_TIMEOUT * 1000,
    maxLifetimeMs: values.TIDINGS_POCKETBASE_MAX_LIFETIME * 1000,
  };
}
