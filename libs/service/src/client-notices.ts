import { z } from "zod";
import { processIdSchema } from "./status-notices.ts";

// The records service asks every gateway, over a bus notice, which clients it holds; each gateway
// answers on the reply topic the question names (docs/admin-api.md, `GET /api/admin/clients`).

/** Bus notice topic on which gateways hear the question. */
export const CLIENTS_QUERY_TOPIC = "clients-query";

/** Most clients one gateway lists in an answer. */
export const MAX_CLIENTS_PER_GATEWAY = 1_000;

/** A notice topic: one token of letters, digits, `_` and `-`. */
const topicSchema = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/);

/** The question: "which clients do you hold?", to every gateway or to one. */
export const clientsQuerySchema = z.object({
  v: z.literal(1),
  /** Where to answer; a fresh topic per question. */
  replyTopic: topicSchema,
  /** Only this gateway answers; every gateway when absent. */
  gateway: processIdSchema.optional(),
  /** Most clients to list. */
  limit: z.number().int().min(1).max(MAX_CLIENTS_PER_GATEWAY),
});

const clientSchema = z.object({
  id: z.string().min(1).max(200),
  /** As the gateway's metrics label it: `socket.io`, `pocketbase`, `pusher`, … */
  transport: z.string().min(1).max(64),
  userId: z.string().max(200).nullable(),
  connectedAt: z.iso.datetime(),
  subscriptions: z.array(
    z.object({
      /** The collection's name (its id when the collection is gone). */
      collection: z.string(),
      recordId: z.string().nullable(),
      filter: z.string().nullable(),
    }),
  ),
});

/** One gateway's answer. */
export const clientsReplySchema = z.object({
  v: z.literal(1),
  gateway: processIdSchema,
  clients: z.array(clientSchema).max(MAX_CLIENTS_PER_GATEWAY),
  /** True when the gateway holds more clients than it listed. */
  truncated: z.boolean(),
});

/** The question as sent. */
export type ClientsQuery = z.infer<typeof clientsQuerySchema>;
/** One gateway's answer as sent. */
export type ClientsReply = z.infer<typeof clientsReplySchema>;
/** One client in an answer. */
export type ClientInfo = z.infer<typeof clientSchema>;
