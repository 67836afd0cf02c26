import { registerRequestAuth, requireSuperuser, type TokenService } from "@tidings/auth";
import { type Bus, BusStateError, isRetryable, UnknownSubjectError } from "@tidings/bus";
import type { CollectionCatalog } from "@tidings/collections";
import type { SqlClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { MAX_CLIENTS_PER_GATEWAY, parseInput, processIdSchema } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { acceptEmptyDeleteBodies } from "../http/empty-delete-body.ts";
import { type Page, pageResult, parsePage } from "../http/pagination.ts";
import { queryClients } from "./client-query.ts";
import { clusterView } from "./cluster-view.ts";
import { deadLetterView } from "./dead-letter-view.ts";
import type { StatusBoard } from "./status-board.ts";

/** What the admin routes read. */
export interface AdminRoutesDeps {
  bus: Bus;
  /** The processes' heartbeats, following `bus` once it runs. */
  board: StatusBoard;
  sql: SqlClient;
  collections: CollectionCatalog;
  tokens: TokenService;
  /** Longest wait for the gateways' answers to `GET /api/admin/clients`. @default 1500 */
  clientsTimeoutMs?: number;
}

const clientsQuery = z.object({
  gateway: processIdSchema.optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, "limit must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_CLIENTS_PER_GATEWAY))
    .default(200),
});

const seqParams = z.object({
  seq: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, "seq must be a positive whole number")
    .transform(Number),
});

type SeqRequest = { Params: { seq: string } };

/**
 * Largest page of dead letters: each may be up to the bus's largest message (1 MiB by default),
 * so a page is kept well under the other lists' 1,000.
 */
export const MAX_DEAD_LETTERS_PER_PAGE = 100;

/** The page asked for, its size capped for dead letters (larger requests are told in `perPage`). */
function deadLetterPage(query: unknown): Page {
  const page = parsePage(query);
  const perPage = Math.min(page.perPage, MAX_DEAD_LETTERS_PER_PAGE);
  return { ...page, perPage, offset: (page.page - 1) * perPage };
}

/** Runs bus work; the bus being down (or not started yet) is `UNAVAILABLE`, to retry. */
async function onBus<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isRetryable(error) || error instanceof BusStateError)
      throw new TidingsError(
        "UNAVAILABLE",
        "The bus cannot be reached right now; retry.",
        {},
        {
          cause: error,
        },
      );
    throw error;
  }
}

const noSuchDeadLetter = (seq: number) =>
  new TidingsError("NOT_FOUND", `There is no dead letter ${seq}.`);

/** A parked message whose original subject is missing or is not an events subject. */
const notRepublishable = (seq: number, subject: string) =>
  new TidingsError(
    "CONFLICT",
    subject === ""
      ? `Dead letter ${seq} cannot be republished: it does not say which subject it came from. Drop it instead.`
      : `Dead letter ${seq} cannot be republished: its subject ${JSON.stringify(subject)} is not an events subject. Drop it instead.`,
  );

/**
 * `/api/admin/*`, for superusers only: the cluster's processes, partitions and backlogs, the
 * clients of every gateway, and the dead letters (list, retry, drop). docs/admin-api.md.
 */
export async function adminRoutes(app: FastifyInstance, deps: AdminRoutesDeps): Promise<void> {
  const { bus, board, collections } = deps;
  registerRequestAuth(app, deps.tokens);
  acceptEmptyDeleteBodies(app);
  // After the token is resolved and before the input is read: a refusal says nothing about it.
  app.addHook("onRequest", async (request) => {
    requireSuperuser(request);
  });

  // Not onBus: the bus being down leaves `deadLetters` null, and the rest is still shown.
  app.get("/cluster", () => clusterView(deps));

  app.get("/clients", async (request) => {
    const { gateway, limit } = parseInput(clientsQuery, request.query, "query");
    const expected = gateway
      ? [gateway]
      : board
          .processes()
          .filter(({ notice }) => notice.service === "gateway")
          .map(({ notice }) => notice.id);
    return onBus(() =>
      queryClients(bus, {
        expected,
        limit,
        timeoutMs: deps.clientsTimeoutMs ?? 1_500,
        ...(gateway ? { gateway } : {}),
      }),
    );
  });

  app.get("/dead-letters", async (request) => {
    const page = deadLetterPage(request.query);
    const [total, parked] = await onBus(() =>
      Promise.all([
        page.skipTotal ? undefined : bus.deadLetters.count(),
        bus.deadLetters.list(page.offset, page.perPage),
      ]),
    );
    const items = await Promise.all(parked.map((message) => deadLetterView(message, collections)));
    return pageResult(page, items, total);
  });

  app.post<SeqRequest>("/dead-letters/:seq/retry", async (request) => {
    const { seq } = parseInput(seqParams, request.params, "path");
    const ack = await onBus(() => bus.deadLetters.retry(seq)).catch((error: unknown) => {
      if (error instanceof UnknownSubjectError) throw notRepublishable(seq, error.subject);
      throw error;
    });
    if (!ack) throw noSuchDeadLetter(seq);
    return { seq, republishedAs: ack.seq };
  });

  app.delete<SeqRequest>("/dead-letters/:seq", async (request, reply) => {
    const { seq } = parseInput(seqParams, request.params, "path");
    if (!(await onBus(() => bus.deadLetters.drop(seq)))) throw noSuchDeadLetter(seq);
    return reply.status(204).send();
  });
}
