import { fastschemaEnv } from "./fastschema/fastschema-env.ts";
import { fluxbaseEnv } from "./fluxbase/fluxbase-env.ts";
import { pocketbaseEnv } from "./pocketbase/pocketbase-env.ts";
import { veloPusherEnv } from "./velo/velo-env.ts";

/**
 * Environment variables of the compatibility protocols, one shape per protocol, merged into the
 * gateway's.
 */
export const compatEnv = {
  ...fastschemaEnv,
  ...fluxbaseEnv,
  ...pocketbaseEnv,
  ...veloPusherEnv,
};
