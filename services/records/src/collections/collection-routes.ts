import type { PrismaClient } from "@tidings/db";
import { parseInput } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { pageResult, parsePage } from "../http/pagination.ts";
import { requireSuperuser } from "../http/request-auth.ts";
import { createCollectionBody, patchCollectionBody } from "./collection-input.ts";
import {
  createCollection,
  deleteCollection,
  listCollections,
  requireCollection,
  updateCollection,
} from "./collection-store.ts";

type NameParams = { Params: { name: string } };

/** `/api/collections`: defining collections, for superusers only. */
export function registerCollectionRoutes(app: FastifyInstance, prisma: PrismaClient): void {
  app.post("/api/collections", async (request, reply) => {
    requireSuperuser(request);
    const body = parseInput(createCollectionBody, request.body);
    return reply.status(201).send(await createCollection(prisma, body));
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
    return updateCollection(prisma, request.params.name, patch);
  });

  app.delete<NameParams>("/api/collections/:name", async (request, reply) => {
    requireSuperuser(request);
    await deleteCollection(prisma, request.params.name);
    return reply.status(204).send();
  });
}
