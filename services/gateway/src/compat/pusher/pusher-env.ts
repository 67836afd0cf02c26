import { envValue } from "@tidings/service";
import { z } from "zod";

/** A Pusher app: clients connect to `/app/<key>`; the secret signs their channel authorizations. */
export interface PusherApp {
  key: string;
  secret: string;
}

const APP_KEY = /^[A-Za-z0-9._~-]{1,128}$/;
const MIN_SECRET = 16;

/** `key:secret[,key:secret…]`, each checked, keys unique. */
const pusherApps = z
  .string()
  .transform((value, context) => {
    const apps: PusherApp[] = [];
    for (const [index, raw] of value.split(",").entries()) {
      const item = raw.trim();
      const colon = item.indexOf(":");
      const key = item.slice(0, Math.max(colon, 0));
      const secret = item.slice(colon + 1);
      if (colon < 0 || !APP_KEY.test(key) || secret.length < MIN_SECRET || /\s/.test(secret)) {
        context.addIssue({
          code: "custom",
          // Names the item by position only: the value holds secrets, and errors reach logs.
          message: `item ${index + 1} is not key:secret (keys of A-Z a-z 0-9 . _ ~ -, secrets of at least ${MIN_SECRET} characters without spaces; items separated by commas)`,
        });
        return z.NEVER;
      }
      if (apps.some((app) => app.key === key)) {
        context.addIssue({ code: "custom", message: `the key "${key}" appears twice` });
        return z.NEVER;
      }
      apps.push({ key, secret });
    }
    return apps;
  })
  .optional();

/** Environment variables of the Pusher protocol (Laravel Echo, pusher-js). */
export const pusherEnv = {
  /** Pusher apps as `key:secret[,key:secret…]`. Unset: the Pusher protocol is off. */
  TIDINGS_PUSHER_APPS: pusherApps,
  /** Seconds of silence after which a Pusher connection is pinged, and then closed (4201). */
  TIDINGS_PUSHER_ACTIVITY_TIMEOUT: envValue.int(30, 1, 3_600),
  /** Client events (`client-*`, whispers) one connection may send per second; beyond is 4301. */
  TIDINGS_PUSHER_CLIENT_EVENTS_PER_SECOND: envValue.int(10, 1, 1_000),
};

/** Validated Pusher settings. */
export interface PusherSettings {
  /** By key; empty when the protocol is off (every key is then unknown). */
  apps: ReadonlyMap<string, PusherApp>;
  activityTimeoutSeconds: number;
  clientEventsPerSecond: number;
}

/** Settings from parsed {@link pusherEnv} values. */
export function pusherSettingsFrom(values: z.infer<z.ZodObject<typeof pusherEnv>>): PusherSettings {
  return {
    apps: new Map((values.TIDINGS_PUSHER_APPS ?? []).map((app) => [app.key, app])),
    activityTimeoutSeconds: values.TIDINGS_PUSHER_ACTIVITY_TIMEOUT,
    clientEventsPerSecond: values.TIDINGS_PUSHER_CLIENT_EVENTS_PER_SECOND,
  };
}
