import { isSuperuser } from "@tidings/auth";
import {
  type CollectionCatalog,
  compileClientFilter,
  compileClientSort,
  filterCondition,
  findRecord,
  gateConditions,
  gateFor,
  type KnownCollection,
  listRecords,
  projectRecord,
  type Requester,
  toRecordJson,
} from "@tidings/collections";
import type { PrismaClient, SqlClient } from "@tidings/db";
import { sortToSql } from "@tidings/filter";
import { TidingsError } from "@tidings/protocol";
import { parseInput } from "@tidings/service";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { pageResult, parsePage } from "../http/pagination.ts";
import { presentRecords, readPresentation } from "./record-presentation.ts";
import { createRecord, deleteRecord, updateRecord, type WriteContext } from "./record-writes.ts";
import { requestMeta } from "./rule-request.ts";

type CollectionParams = { Params: { collection: string } };
type RecordParams = { Params: { collection: string; id: string } };

const listQuery = z.object({ filter: z.string().optional(), sort: z.string().optional() });
/** `X-Socket-Id`: the writer's realtime connection, optional. */
export const socketIdHeader = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, "expected 1-128 characters from A-Z a-z 0-9 . _ : -")
  .optional();

// Records without a stable order would shift between pages; oldest first, then by id.
const DEFAULT_ORDER = "r.created ASC, r.id ASC";

function requester(request: FastifyRequest): Requester {
  return { auth: request.auth, now: new Date() };
}

function writeContext(request: FastifyRequest): WriteContext {
  const socketId = parseInput(socketIdHeader, request.headers["x-socket-id"], "X-Socket-Id header");
  return { ...requester(request), socketId, http: requestMeta(request) };
}

/** What the record routes read and write through. */
export interface RecordRoutesDeps {
  prisma: PrismaClient;
  sql: SqlClient;
  collections: CollectionCatalog;
}

/** `/api/collections/:collection/records`: list, view, create, update, delete under the collection's rules. */
export function registerRecordRoutes(app: FastifyInstance, deps: RecordRoutesDeps): void {
  const { prisma } = deps;
  const storedCollection = async (name: string): Promise<KnownCollection> => {
    const known = await deps.collections.byName(name);
    if (!known) throw new TidingsError("NOT_FOUND", `There is no collection "${name}".`);
    if (known.def.type === "external") {
      throw new TidingsError(
        "METHOD_NOT_ALLOWED",
        `"${name}" is an external collection: its records are published by the service that owns them.`,
      );
    }
    return known;
  };

  app.get<CollectionParams>("/api/collections/:collection/records", async (request) => {
    const who = requester(request);
    const { def: collection, rules } = await storedCollection(request.params.collection);
    const gate = gateFor(rules, "listRule", who);
    const query = parseInput(listQuery, request.query, "query");
    const page = parsePage(request.query);
    const presentation = await readPresentation(prisma, collection, request.query);
    const allowHidden = isSuperuser(who.auth);
    const conditions = gateConditions(gate, who);
    if (query.filter?.trim())
      conditions.push(
        filterCondition(compileClientFilter(collection, query.filter, { allowHidden }), who),
      );
    const sort = query.sort?.trim()
      ? compileClientSort(collection, query.sort, { allowHidden })
      : [];
    const { rows, total } = await listRecords(prisma, collection, {
      conditions,
      orderBy: sort.length > 0 ? sortToSql(sort, "r") : DEFAULT_ORDER,
      limit: page.perPage,
      offset: page.offset,
      withTotal: !page.skipTotal,
    });
    const records = rows.map((row) => projectRecord(collection, toRecordJson(collection, row)));
    const items = await presentRecords(prisma, presentation, records, who);
    return pageResult(page, items, total);
  });

  app.get<RecordParams>("/api/collections/:collection/records/:id", async (request) => {
    const who = requester(request);
    const { def: collection, rules } = await storedCollection(request.params.collection);
    const gate = gateFor(rules, "viewRule", who);
    const presentation = await readPresentation(prisma, collection, request.query);
    const row = await findRecord(prisma, collection, request.params.id, gateConditions(gate, who));
    if (!row) throw new TidingsError("NOT_FOUND", "The record was not found.");
    const record = projectRecord(collection, toRecordJson(collection, row));
    return (await presentRecords(prisma, presentation, [record], who))[0];
  });

  app.post<CollectionParams>("/api/collections/:collection/records", async (request, reply) => {
    const ctx = writeContext(request);
    const { def: collection, rules } = await storedCollection(request.params.collection);
    const presentation = await readPresentation(prisma, collection, request.query);
    const record = await createRecord(deps, collection, rules, request.body, ctx);
    const [shown] = await presentRecords(
      prisma,
      presentation,
      [projectRecord(collection, record)],
      ctx,
    );
    return reply.status(201).send(shown);
  });

  app.patch<RecordParams>("/api/collections/:collection/records/:id", async (request) => {
    const ctx = writeContext(request);
    const { def: collection, rules } = await storedCollection(request.params.collection);
    const presentation = await readPresentation(prisma, collection, request.query);
    const record = await updateRecord(
      deps,
      collection,
      rules,
      request.params.id,
      request.body,
      ctx,
    );
    const shown = await presentRecords(
      prisma,
      presentation,
      [projectRecord(collection, record)],
      ctx,
    );
    return shown[0];
  });

  app.delete<RecordParams>("/api/collections/:collection/records/:id", async (request, reply) => {
    const ctx = writeContext(request);
    const { def: collection, rules } = await storedCollection(request.params.collection);
    await deleteRecord(deps, collection, rules, request.params.id, ctx);
    return reply.status(204).send();
  });
}
