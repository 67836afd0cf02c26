import { requireSuperuser, toAuthUser } from "@tidings/auth";
import {
  type CollectionCatalog,
  type CollectionDef,
  compileClientFilter,
  compileRule,
  fieldsSchema,
  filterCondition,
  listRecords,
  MAX_RULE_LENGTH,
  nameSchema,
  projectRecord,
  type Requester,
  RULE_NAMES,
  ruleSchema,
  toRecordJson,
} from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import { parseInput } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { pageResult } from "../http/pagination.ts";

const ruleName = z.enum(RULE_NAMES);

/** Body of `POST /api/admin/rules/check`: a rule, judged against a stored or a draft field list. */
const checkBody = z.strictObject({
  rule: z.string().max(MAX_RULE_LENGTH),
  action: ruleName,
  /** A stored collection whose fields the rule reads. */
  collection: nameSchema.optional(),
  /** Fields being edited, not yet saved; they win over the stored ones. */
  fields: fieldsSchema.optional(),
});

/** Largest preview page: it is a look at a few records, not an export. */
const MAX_PREVIEW = 100;

/** Body of `POST /api/admin/rules/preview`: which stored records a user would read under a rule. */
const previewBody = z.strictObject({
  collection: nameSchema,
  /** `""` = anyone, `null` = superusers only, as stored rules. */
  rule: ruleSchema,
  /** Whom to judge; null = an anonymous client. */
  userId: z.string().min(1).max(64).nullable(),
  action: z.enum(["listRule", "viewRule"]).default("listRule"),
  /** A client filter narrowing the list, as `?filter=` does. */
  filter: z.string().max(2_000).optional(),
  page: z.number().int().min(1).max(1_000_000).default(1),
  perPage: z.number().int().min(1).max(MAX_PREVIEW).default(20),
});

async function storedDef(collections: CollectionCatalog, name: string): Promise<CollectionDef> {
  const known = await collections.byName(name);
  if (!known) throw new TidingsError("NOT_FOUND", `There is no collection "${name}".`);
  return known.def;
}

/**
 * Tools for writing rules, used by the console as an operator types: a syntax and type check
 * with the server's own parser, and a preview of what a chosen user would read under a rule that
 * is not saved yet. Superusers only; nothing is written.
 */
export function registerRuleRoutes(
  app: FastifyInstance,
  deps: { prisma: PrismaClient; collections: CollectionCatalog },
): void {
  app.post("/api/admin/rules/check", async (request) => {
    requireSuperuser(request);
    const body = parseInput(checkBody, request.body);
    const fields =
      body.fields ??
      (body.collection ? (await storedDef(deps.collections, body.collection)).fields : []);
    try {
      compileRule({ fields }, body.action, body.rule);
      return { valid: true };
    } catch (error) {
      if (!(error instanceof TidingsError) || error.code !== "INVALID_RULE") throw error;
      const { position } = error.data as { position: number };
      return { valid: false, message: error.message, position };
    }
  });

  app.post("/api/admin/rules/preview", async (request) => {
    requireSuperuser(request);
    const body = parseInput(previewBody, request.body);
    const collection = await storedDef(deps.collections, body.collection);
    if (collection.type === "external")
      throw new TidingsError(
        "METHOD_NOT_ALLOWED",
        `"${collection.name}" is an external collection: Tidings stores none of its records.`,
      );
    const stored = body.userId
      ? await deps.prisma.user.findUnique({ where: { id: body.userId } })
      : null;
    if (body.userId && !stored) throw new TidingsError("NOT_FOUND", "The user was not found.");
    const who: Requester = { auth: stored ? toAuthUser(stored) : null, now: new Date() };
    const superuser = who.auth?.role === "superuser";
    const rule = compileRule(collection, body.action, body.rule);
    const page = {
      page: body.page,
      perPage: body.perPage,
      offset: (body.page - 1) * body.perPage,
      skipTotal: false,
    };
    const answer = (items: unknown[], total: number) => ({
      user: who.auth,
      // Why the list is what it is, so the console can say it in words.
      access: superuser ? "superuser" : rule === null ? "superusers-only" : "rule",
      ...pageResult(page, items, total),
    });
    if (!superuser && rule === null) return answer([], 0);
    const conditions = rule && !superuser ? [filterCondition(rule.filter, who)] : [];
    if (body.filter?.trim())
      conditions.push(
        filterCondition(
          compileClientFilter(collection, body.filter, { allowHidden: superuser }),
          who,
        ),
      );
    const { rows, total } = await listRecords(deps.prisma, collection, {
      conditions,
      orderBy: "r.created ASC, r.id ASC",
      limit: page.perPage,
      offset: page.offset,
      withTotal: true,
    });
    const items = rows.map((row) => projectRecord(collection, toRecordJson(collection, row)));
    return answer(items, total ?? 0);
  });
}
