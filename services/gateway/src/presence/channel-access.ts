import type { AuthUser } from "@tidings/auth";
import { TidingsError } from "@tidings/protocol";
import type { GatewayConfig } from "../config.ts";
import type { ChannelKind } from "./channels.ts";

/**
 * An embedder's own check of who may join which presence room or broadcast topic. It narrows the
 * configured policy: it is asked only when the policy lets the client in.
 */
export type ChannelAuthorizer = (
  kind: ChannelKind,
  name: string,
  auth: AuthUser | null,
) => boolean | Promise<boolean>;

/** Refuses a join with `FORBIDDEN` unless the policy, then the embedder's hook, allow it. */
export type ChannelAccess = (
  kind: ChannelKind,
  name: string,
  auth: AuthUser | null,
) => Promise<void>;

const WHAT: Record<ChannelKind, string> = {
  presence: "presence rooms",
  broadcast: "broadcast topics",
};

/**
 * Who may join presence rooms and broadcast topics: `authenticated` users (the default), `anyone`
 * (anonymous clients too) or `superusers` only, then `authorize` if given.
 */
export function channelAccess(
  policy: GatewayConfig["channelAccess"],
  authorize?: ChannelAuthorizer,
): ChannelAccess {
  return async (kind, name, auth) => {
    if (policy === "authenticated" && auth === null)
      throw new TidingsError("FORBIDDEN", `Sign in to join ${WHAT[kind]}.`);
    if (policy === "superusers" && auth?.role !== "superuser")
      throw new TidingsError("FORBIDDEN", `Only superusers may join ${WHAT[kind]}.`);
    if (authorize && !(await authorize(kind, name, auth)))
      throw new TidingsError("FORBIDDEN", `You may not join "${name}".`);
  };
}
