import { randomUUID } from "node:crypto";
import type { Bus } from "@tidings/bus";
import type { ClientsAnswer } from "@tidings/protocol";
import {
  CLIENTS_QUERY_TOPIC,
  type ClientsQuery,
  type ClientsReply,
  clientsReplySchema,
  decodeNotice,
  encodeNotice,
} from "@tidings/service";

/** The question: which gateways are expected to answer, which one is asked, how many clients. */
export interface ClientsQuestion {
  /** Gateways known from their heartbeats (or the one asked): the answer waits for these. */
  expected: readonly string[];
  /** Ask this gateway only. */
  gateway?: string;
  limit: number;
  /** Longest wait for the expected answers. */
  timeoutMs: number;
}

/**
 * Asks the gateways over the bus which clients they hold: one notice with a fresh reply topic,
 * then answers are collected until every expected gateway answered or the time is up. Gateways
 * that answer without being expected (just started) are included; malformed answers are ignored.
 */
export async function queryClients(bus: Bus, question: ClientsQuestion): Promise<ClientsAnswer> {
  const { expected, gateway, limit, timeoutMs } = question;
  const replies = new Map<string, ClientsReply>();
  if (expected.length > 0) {
    const waiting = new Set(expected);
    const replyTopic = `clients-reply-${randomUUID()}`;
    await new Promise<void>((resolve) => {
      let open = true;
      const stop = bus.onNotice(replyTopic, (data) => {
        const reply = decodeNotice(clientsReplySchema, data);
        if (!open || !reply || (gateway !== undefined && reply.gateway !== gateway)) return;
        replies.set(reply.gateway, reply);
        waiting.delete(reply.gateway);
        if (waiting.size === 0) done();
      });
      const timer = setTimeout(() => done(), timeoutMs);
      function done(): void {
        open = false;
        clearTimeout(timer);
        stop();
        resolve();
      }
      const query: ClientsQuery = { v: 1, replyTopic, limit, ...(gateway ? { gateway } : {}) };
      bus.notify(CLIENTS_QUERY_TOPIC, encodeNotice(query));
    });
  }
  const byId = (a: string, b: string) => a.localeCompare(b);
  return {
    gateways: [...replies.values()]
      .sort((a, b) => byId(a.gateway, b.gateway))
      .map((reply) => ({ id: reply.gateway, clients: reply.clients, truncated: reply.truncated })),
    missing: expected.filter((id) => !replies.has(id)).sort(byId),
  };
}
