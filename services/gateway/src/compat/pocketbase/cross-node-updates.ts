import type { AuthUser } from "@tidings/auth";
import { type ErrorBody, TidingsError } from "@tidings/protocol";
import { type Logger, toErrorBody } from "@tidings/service";
import { z } from "zod";
import type { GatewayServer } from "../../realtime/socket-types.ts";
import { missingClient, type SubscriptionUpdate } from "./pocketbase-client.ts";
import type { PocketBaseClients } from "./pocketbase-clients.ts";

const EVENT = "tidings:pocketbase:update";

/** What the node holding the stream answers: done, refused, or null from every other node. */
type Answer = { ok: true } | { error: ErrorBody } | null;

const forwarded = z.object({
  clientId: z.string().max(255),
  ip: z.string(),
  topics: z.array(z.string()),
  auth: z.looseObject({ id: z.string() }).nullable(),
  token: z.string().nullable(),
});

/** Applies an update to a client whose stream another node holds. */
export type ForwardUpdate = (clientId: string, update: SubscriptionUpdate) => Promise<void>;

/**
 * Lets a `POST /api/realtime` reach the stream it is for on whichever node holds it: a load
 * balancer may send the SDK's GET and POSTs to different nodes. The POST's node asks every node
 * through the Socket.IO adapter (Redis); the one holding the client applies the update and answers
 * as it would locally. Only with Redis: a single node holds every stream itself.
 */
export function crossNodeUpdates(
  io: GatewayServer,
  clients: PocketBaseClients,
  logger: Logger,
): ForwardUpdate {
  const namespace = io.of("/");
  namespace.on(EVENT, (message: unknown, ack: (answer: Answer) => void) => {
    const parsed = forwarded.safeParse(message);
    const client = parsed.success ? clients.get(parsed.data.clientId) : undefined;
    if (!parsed.success || !client) return ack(null);
    const { ip, topics, auth, token } = parsed.data;
    client.update({ ip, topics, auth: auth as AuthUser | null, token }).then(
      () => ack({ ok: true }),
      (error: unknown) => {
        if (!(error instanceof TidingsError))
          logger.error({ err: error }, "pocketbase: a forwarded update failed");
        ack({ error: toErrorBody(error) });
      },
    );
  });
  return async (clientId, update) => {
    let answers: Answer[];
    try {
      answers = await namespace.serverSideEmitWithAck(EVENT, { clientId, ...update });
    } catch (error) {
      // Some node did not answer in time; the holder's answer may still be among the others.
      answers = (error as { responses?: Answer[] }).responses ?? [];
    }
    const answer = answers.find((candidate) => candidate !== null);
    if (!answer) throw missingClient();
    if ("error" in answer)
      throw new TidingsError(answer.error.code, answer.error.message, answer.error.data);
  };
}
