import { envValue } from "@tidings/service";

/** Environment variables of the FastSchema realtime endpoint. */
export const fastschemaEnv = {
  /** Serve FastSchema's realtime WebSocket at `/api/realtime/content`. */
  TIDINGS_FASTSCHEMA_ENABLED: envValue.bool(true),
};
