import { envValue } from "@tidings/service";
import { z } from "zod";
import { pusherEnv } from "../pusher/pusher-env.ts";

/** Environment variables of Velo's realtime model (on top of the Pusher protocol's). */
export const veloEnv = {
  /** Prefix of the channel names `POST /api/realtime/subscribe` issues (then a uuid). */
  TIDINGS_VELO_CHANNEL_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_\-=@,.;]{1,100}$/, "1-100 letters, digits or _-=@,.;")
    .default("velo.realtime."),
  /**
   * Event names of a change: `actions` (`created`, `updated`, `deleted`, as Velo's docs say),
   * `server.message` (the single name Velo's code sends) or `both`.
   */
  TIDINGS_VELO_EVENT_NAMES: z.enum(["actions", "server.message", "both"]).default("actions"),
  /** Seconds an issued channel lives without being used (subscribed, authorized or pinged). */
  TIDINGS_VELO_CHANNEL_TTL: envValue.int(86_400, 60, 31_536_000),
};

/** The Pusher protocol's and Velo's variables, as the gateway reads them. */
export const veloPusherEnv = { ...pusherEnv, ...veloEnv };

/** Validated Velo settings. */
export interface VeloSettings {
  channelPrefix: string;
  eventNames: "actions" | "server.message" | "both";
  channelTtlMs: number;
}

/** Settings from parsed {@link veloEnv} values. */
export function veloSettingsFrom(values: z.infer<z.ZodObject<typeof veloEnv>>): VeloSettings {
  return {
    channelPrefix: values.TIDINGS_VELO_CHANNEL_PREFIX,
    eventNames: values.TIDINGS_VELO_EVENT_NAMES,
    channelTtlMs: values.TIDINGS_VELO_CHANNEL_TTL * 1_000,
  };
}
