import { requireSuperuser } from "@tidings/auth";
import type { CollectionCatalog } from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import { parseInput } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { pageResult, parsePage } from "../http/pagination.ts";
import { createCollectionBody, patchCollectionBody } from "./collection-input.ts";
import {
  createCollection,
  deleteCollection,
  listCollections,
  requireCollection,
  updateCollection,
} from "./collection-store.ts";
import { registerRuleRoutes } from "./rule-routes.ts";

type NameParams = { Params: { name: string } };

/**
 * `/api/collections`: defining collections, for superusers only. Every change is announced, so
 * each replica's cached definition and compiled rules are replaced at once.
 */
export function registerCollectionRoutes(
  app: FastifyInstance,
  deps: { prisma: PrismaClient; collections: CollectionCatalog },
): void {
  const { prisma, collections } = deps;
  app.post("/api/collections", async (request, reply) => {
    requireSuperuser(request);
    const body = parseInput(createCollectionBody, request.body);
    const created = await createCollection(prisma, body);
    collections.changed(created.id);
    return reply.status(201).send(created);
  });

  app.get("/api/collections", async (request) => {
    requireSuperuser(request);
    const page = parsePage(request.query);
    const { items, total } = await listCollections(prisma, page.offset, page.perPage);
    return pageResult(page, items, page.skipTotal ? undefined : total);
  });

  app.get<NameParams>("/api/collections/:name", async (request) => {
    requireSuperuser(request);
    return requireCollection(prisma, request.params.name);
  });

  app.patch<NameParams>("/api/collections/:name", async (request) => {
    requireSuperuser(request);
    const patch = parseInput(patchCollectionBody, request.body);
    const updated = await updateCollection(prisma, request.params.name, patch);
    collections.changed(updated.id);
    return updated;
  });

  app.delete<NameParams>("/api/collections/:name", async (request, reply) => {
    requireSuperuser(request);
    const deleted = await deleteCollection(prisma, request.params.name);
    collections.changed(deleted.id);
    return reply.status(204).send();
  });

  registerRuleRoutes(app, deps);
}
