import { envValue } from "@tidings/service";

/** Environment variables of the Fluxbase realtime endpoint. */
export const fluxbaseEnv = {
  /** Serve Fluxbase's realtime WebSocket at `/realtime`. */
  TIDINGS_FLUXBASE_ENABLED: envValue.bool(true),
};
