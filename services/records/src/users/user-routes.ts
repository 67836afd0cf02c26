import { requireSuperuser, type TokenService, toAuthUser } from "@tidings/auth";
import type { PrismaClient, SqlClient } from "@tidings/db";
import { parseInput } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { registerUser } from "../auth/users.ts";
import { pageResult, parsePage } from "../http/pagination.ts";
import { createUsers } from "./bulk-users.ts";
import { parseBulkBody, parseUserListQuery, userBodies } from "./user-input.ts";
import { listUsers, searchCondition } from "./user-list.ts";
import { deleteUser, guardSelf, revokeUser, storedUser, updateUser } from "./user-store.ts";
import { bulkTokens, impersonationToken } from "./user-tokens.ts";

type IdParams = { Params: { id: string } };

// Oldest first by default, as record lists; the id breaks ties so pages never overlap.
const ORDER = {
  created: "r.created ASC, r.id ASC",
  "-created": "r.created DESC, r.id DESC",
  email: "r.email ASC, r.id ASC",
  "-email": "r.email DESC, r.id DESC",
} as const;

/** What the user routes work with. */
export interface UserRoutesDeps {
  prisma: PrismaClient;
  sql: SqlClient;
  tokens: TokenService;
  /** Shortest password an account may be given. */
  passwordMinLength: number;
}

/**
 * `/api/users`: accounts, for superusers only. Every change to an account is announced
 * (`tokens.userChanged`), so each replica reads it again; a change that rotates its token key
 * (see user-store.ts) also closes its live connections on every node.
 */
export function registerUserRoutes(app: FastifyInstance, deps: UserRoutesDeps): void {
  const { prisma, tokens } = deps;
  const bodies = userBodies(deps.passwordMinLength);

  app.get("/api/users", async (request) => {
    requireSuperuser(request);
    const query = parseUserListQuery(request.query);
    const page = parsePage(request.query);
    const search = query.search?.trim();
    const { rows, total } = await listUsers(prisma, {
      conditions: search ? [searchCondition(search)] : [],
      orderBy: ORDER[query.sort ?? "created"],
      limit: page.perPage,
      offset: page.offset,
      withTotal: !page.skipTotal,
    });
    return pageResult(page, rows.map(toAuthUser), total);
  });

  app.post("/api/users", async (request, reply) => {
    requireSuperuser(request);
    const body = parseInput(bodies.create, request.body);
    return reply.status(201).send(toAuthUser(await registerUser(prisma, body)));
  });

  app.post("/api/users/bulk", async (request, reply) => {
    const superuser = requireSuperuser(request);
    const body = parseBulkBody(bodies, request.body);
    const users = await createUsers(deps, body);
    const items = users.map(toAuthUser);
    if (!body.tokens) return reply.status(201).send({ items });
    const issued = await bulkTokens(tokens, { superuser, log: request.log }, users);
    return reply.status(201).send({ items, tokens: issued });
  });

  app.get<IdParams>("/api/users/:id", async (request) => {
    requireSuperuser(request);
    return toAuthUser(await storedUser(prisma, request.params.id));
  });

  app.patch<IdParams>("/api/users/:id", async (request) => {
    const actor = requireSuperuser(request);
    const change = parseInput(bodies.patch, request.body);
    guardSelf(actor, request.params.id, change);
    const updated = await updateUser(prisma, request.params.id, change);
    tokens.userChanged(updated.id);
    return toAuthUser(updated);
  });

  app.delete<IdParams>("/api/users/:id", async (request, reply) => {
    const actor = requireSuperuser(request);
    guardSelf(actor, request.params.id, "delete");
    await deleteUser(prisma, request.params.id);
    tokens.userChanged(request.params.id);
    return reply.status(204).send();
  });

  app.post<IdParams>("/api/users/:id/revoke", async (request, reply) => {
    requireSuperuser(request);
    await revokeUser(prisma, request.params.id);
    tokens.userChanged(request.params.id);
    return reply.status(204).send();
  });

  app.post<IdParams>("/api/users/:id/token", async (request) => {
    const superuser = requireSuperuser(request);
    const user = await storedUser(prisma, request.params.id);
    return {
      token: await impersonationToken(tokens, { superuser, log: request.log }, user, request.body),
      user: toAuthUser(user),
    };
  });
}
