import type { CompatContext } from "./compat-context.ts";
import { registerFastSchema } from "./fastschema/register-fastschema.ts";
import { registerFluxbase } from "./fluxbase/register-fluxbase.ts";
import { registerPocketBase } from "./pocketbase/register-pocketbase.ts";
import { registerVeloPusher } from "./velo/register-velo-pusher.ts";

/**
 * Registers the realtime protocols of other systems (PocketBase, FastSchema, Fluxbase, Pusher)
 * on a node, next to the Socket.IO protocol. Each is a transport over the same rooms and delivery
 * path; they must be registered before the app listens.
 */
export async function registerCompatibility(context: CompatContext): Promise<void> {
  await registerFastSchema(context);
  await registerFluxbase(context);
  await registerPocketBase(context);
  await registerVeloPusher(context);
}
