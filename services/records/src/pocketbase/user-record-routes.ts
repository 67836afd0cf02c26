import { isSuperuser, requireSuperuser, type TokenService } from "@tidings/auth";
import { gateAllows, gateConditions, gateFor, type Requester } from "@tidings/collections";
import type { PrismaClient, User } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { LoginPolicy } from "../auth/login-policy.ts";
import { registerUser } from "../auth/users.ts";
import { pageResult, parsePage } from "../http/pagination.ts";
import { listUsers } from "../users/user-list.ts";
import { deleteUser, guardSelf, storedUser, updateUser } from "../users/user-store.ts";
import { impersonationToken } from "../users/user-tokens.ts";
import { parseRecordCreate, parseRecordUpdate, recordBodies } from "./user-record-input.ts";
import {
  present,
  readUserPresentation,
  recordOf,
  USERS_RULES,
  userListClauses,
} from "./users-collection.ts";

type IdParams = { Params: { id: string } };

const RECORDS = "/api/collections/users/records";

function requester(request: FastifyRequest): Requester {
  return { auth: request.auth, now: new Date() };
}

// The stored user if the action's rule lets the requester act on them; a user the rule hides is
// NOT_FOUND, as a record the view rule hides.
async function userFor(
  prisma: PrismaClient,
  id: string,
  action: "viewRule" | "updateRule" | "deleteRule",
  who: Requester,
): Promise<User> {
  const gate = gateFor(USERS_RULES, action, who);
  const user = await prisma.user.findUnique({ where: { id } });
  if (!user || !gateAllows(gate, recordOf(user, who), who))
    throw new TidingsError("NOT_FOUND", "The record was not found.");
  return user;
}

/**
 * PocketBase's `users` collection over Tidings accounts, for the `pocketbase` SDK:
 * `/api/collections/users/records[/:id]` under PocketBase's default rules for it, and
 * `POST /api/collections/users/impersonate/:id` for superusers. These static paths take
 * precedence over the generic record routes (`users` is reserved: no stored collection has the
 * name). A sign-up here is rate limited as `/api/auth/register` is; superusers are not limited.
 */
export function registerUserRecordRoutes(
  app: FastifyInstance,
  deps: { prisma: PrismaClient; tokens: TokenService; login: LoginPolicy },
): void {
  const { prisma, tokens } = deps;
  const bodies = recordBodies(deps.login.passwordMinLength);
  const signUpLimit = {
    config: {
      rateLimit: {
        ...deps.login.perAddress,
        allowList: (request: FastifyRequest) => isSuperuser(request.auth),
      },
    },
  };

  app.get(RECORDS, async (request) => {
    const who = requester(request);
    const gate = gateFor(USERS_RULES, "listRule", who);
    const fields = readUserPresentation(request.query);
    const page = parsePage(request.query);
    const { conditions, orderBy } = userListClauses(request.query, who);
    const { rows, total } = await listUsers(prisma, {
      conditions: [...gateConditions(gate, who), ...conditions],
      orderBy,
      limit: page.perPage,
      offset: page.offset,
      withTotal: !page.skipTotal,
    });
    const items = rows.map((row) => present(recordOf(row, who), fields));
    return pageResult(page, items, total);
  });

  app.get<IdParams>(`${RECORDS}/:id`, async (request) => {
    const who = requester(request);
    const fields = readUserPresentation(request.query);
    const user = await userFor(prisma, request.params.id, "viewRule", who);
    return present(recordOf(user, who), fields);
  });

  app.post(RECORDS, signUpLimit, async (request, reply) => {
    const who = requester(request);
    const superuser = isSuperuser(who.auth);
    const fields = readUserPresentation(request.query);
    const input = parseRecordCreate(bodies, request.body, superuser);
    const user = await registerUser(prisma, input);
    return reply.status(201).send(present(recordOf(user, who), fields));
  });

  app.patch<IdParams>(`${RECORDS}/:id`, async (request) => {
    const who = requester(request);
    const fields = readUserPresentation(request.query);
    const current = await userFor(prisma, request.params.id, "updateRule", who);
    const change = await parseRecordUpdate(bodies, request.body, current, isSuperuser(who.auth));
    const updated = await updateUser(prisma, current.id, change);
    tokens.userChanged(updated.id);
    return present(recordOf(updated, who), fields);
  });

  app.delete<IdParams>(`${RECORDS}/:id`, async (request, reply) => {
    const who = requester(request);
    const user = await userFor(prisma, request.params.id, "deleteRule", who);
    // Users may delete their own account (PocketBase's rule); a superuser may not (see guardSelf).
    if (who.auth && isSuperuser(who.auth)) guardSelf(who.auth, user.id, "delete");
    await deleteUser(prisma, user.id);
    tokens.userChanged(user.id);
    return reply.status(204).send();
  });

  app.post<IdParams>("/api/collections/users/impersonate/:id", async (request) => {
    const who = requester(request);
    const superuser = requireSuperuser(request);
    const user = await storedUser(prisma, request.params.id);
    return {
      token: await impersonationToken(tokens, { superuser, log: request.log }, user, request.body),
      record: recordOf(user, who),
    };
  });
}
