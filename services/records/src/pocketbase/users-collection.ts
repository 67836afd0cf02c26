import { isSuperuser, toAuthUser } from "@tidings/auth";
import {
  type CompiledRules,
  compileClientFilter,
  compileClientSort,
  compileRule,
  type FieldsPick,
  filterCondition,
  parseExpand,
  parseFields,
  pickFields,
  type RecordJson,
  type Requester,
  type SqlCondition,
  userRecord,
} from "@tidings/collections";
import { sortToSql } from "@tidings/filter";
import { TidingsError } from "@tidings/protocol";
import { parseInput } from "@tidings/service";
import { z } from "zod";
import { USER_RECORD_FIELDS, type UserRow } from "../users/user-list.ts";

const schema = { fields: USER_RECORD_FIELDS };
const OWNER = "id = @request.auth.id";

/**
 * The rules of PocketBase's default `users` collection: everyone may sign up (create); a user
 * lists, views, updates and deletes only their own record; superusers are bound by none.
 */
export const USERS_RULES: CompiledRules = {
  listRule: compileRule(schema, "listRule", OWNER),
  viewRule: compileRule(schema, "viewRule", OWNER),
  createRule: compileRule(schema, "createRule", ""),
  updateRule: compileRule(schema, "updateRule", OWNER),
  deleteRule: compileRule(schema, "deleteRule", OWNER),
};

/** A user as a `users` record for this requester: the email only to the user and superusers. */
export function recordOf(user: UserRow, requester: Requester): RecordJson {
  const withEmail = isSuperuser(requester.auth) || requester.auth?.id === user.id;
  return userRecord(toAuthUser(user), withEmail);
}

const presentationQuery = z.object({
  expand: z.string().optional(),
  fields: z.string().optional(),
});

/**
 * Reads `expand` and `fields` as record routes do. Users have no relations, so any `expand` is
 * refused (`VALIDATION_FAILED` on `expand`) rather than silently ignored.
 */
export function readUserPresentation(query: unknown): FieldsPick | undefined {
  const q = parseInput(presentationQuery, query, "query");
  if (parseExpand(q.expand)) {
    throw new TidingsError("VALIDATION_FAILED", "The query has invalid or missing values.", {
      expand: { code: "invalid_expand", message: "users have no relations to expand" },
    });
  }
  return parseFields(q.fields);
}

/** The record narrowed to `fields`, when asked. */
export function present(record: RecordJson, fields: FieldsPick | undefined): unknown {
  return fields ? pickFields(record, fields) : record;
}

const listQuery = z.object({ filter: z.string().optional(), sort: z.string().optional() });

/**
 * A client's `filter` and `sort` over the `users` record fields (`email`, `name`, `verified`, and
 * `id`, `created`, `updated`), as conditions and ORDER BY on the users listing.
 */
export function userListClauses(
  query: unknown,
  requester: Requester,
): { conditions: SqlCondition[]; orderBy: string } {
  const q = parseInput(listQuery, query, "query");
  const conditions: SqlCondition[] = [];
  if (q.filter?.trim())
    conditions.push(
      filterCondition(compileClientFilter(schema, q.filter, { allowHidden: true }), requester),
    );
  const sort = q.sort?.trim() ? compileClientSort(schema, q.sort, { allowHidden: true }) : [];
  return {
    conditions,
    orderBy: sort.length > 0 ? sortToSql(sort, "r") : "r.created ASC, r.id ASC",
  };
}
