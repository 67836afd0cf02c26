import type { TokenService } from "@tidings/auth";
import type { CollectionCatalog, CollectionDef } from "@tidings/collections";
import { TidingsError } from "@tidings/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import {
  findRealtimeCollection,
  planSubscription,
} from "../../subscriptions/subscription-planner.ts";
import { requester } from "../pusher/auth-endpoint.ts";
import { acceptFormBodies } from "../pusher/form-body.ts";
import { socketIdSchema } from "../pusher/pusher-wire.ts";
import type { VeloChannels } from "./velo-channels.ts";

/** What Velo's realtime routes are built on. */
export interface VeloRoutesDeps {
  collections: CollectionCatalog;
  tokens: TokenService;
  channels: VeloChannels;
}

const subscribeBody = z.object({
  collection: z.string().min(1).max(200),
  socket_id: socketIdSchema.nullish(),
  filter: z.string().max(8_192).nullish(),
});

const pingBody = z.object({ channel_name: z.string().max(300) });

/** Laravel's 422: `{message, errors: {field: [messages]}}`, the message naming the first problem. */
function invalid(reply: FastifyReply, errors: Record<string, string[]>) {
  const messages = Object.values(errors).flat();
  const more = messages.length - 1;
  const message =
    more > 0 ? `${messages[0]} (and ${more} more error${more > 1 ? "s" : ""})` : messages[0];
  return reply.status(422).send({ message, errors });
}

// Laravel names the top-level field of each problem, once.
function fieldProblems(problems: { field: string; missing: boolean }[]): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const { field, missing } of problems) {
    errors[field] ??= [
      missing ? `The ${field} field is required.` : `The ${field} field is invalid.`,
    ];
  }
  return errors;
}

const schemaProblems = (issues: readonly z.core.$ZodIssue[]) =>
  fieldProblems(
    issues.map((issue) => ({
      field: String(issue.path[0] ?? "body"),
      missing: issue.code === "invalid_type" && issue.input === undefined,
    })),
  );

const unauthenticated = (reply: FastifyReply) =>
  reply.status(401).send({ message: "Unauthenticated." });

/**
 * `POST /api/realtime/subscribe` `{collection, socket_id?, filter?}` (bearer token optional) →
 * `{channel_name, is_public: false}`, answered as Laravel would: 422 for an unknown collection or a
 * bad filter, 401 for a guest the list rule lets see nothing (403 for such a user). Also Velo's
 * `POST /api/realtime/ping` `{channel_name}`, which keeps a channel alive.
 */
export async function registerVeloRoutes(
  app: FastifyInstance,
  deps: VeloRoutesDeps,
): Promise<void> {
  const { collections, tokens, channels } = deps;
  await app.register(async (scope) => {
    acceptFormBodies(scope);
    // The server's input checks refuse a body (text that cannot be stored, nesting too deep)
    // before a route reads it: answered as Laravel answers invalid fields. Others go up.
    scope.setErrorHandler((error, _request, reply) => {
      if (!(error instanceof TidingsError && error.code === "VALIDATION_FAILED")) throw error;
      const paths = Object.keys(error.data);
      const fields = paths.map((path) => ({ field: path.split(".")[0] as string, missing: false }));
      return invalid(reply, fieldProblems(fields));
    });
    scope.post("/api/realtime/subscribe", async (request, reply) => {
      const body = subscribeBody.safeParse(request.body ?? {});
      if (!body.success) return invalid(reply, schemaProblems(body.error.issues));
      const { collection: name, socket_id, filter } = body.data;
      let user: Awaited<ReturnType<typeof requester>>;
      try {
        user = await requester(tokens, request.headers.authorization);
      } catch {
        return unauthenticated(reply);
      }
      let collection: CollectionDef;
      try {
        collection = (await findRealtimeCollection(collections, name)).def;
      } catch (error) {
        if (!(error instanceof TidingsError)) throw error;
        const problem = error.code === "NOT_FOUND" ? "Collection not found" : error.message;
        return invalid(reply, { collection: [problem] });
      }
      try {
        await planSubscription(collections, { connectionId: "velo", auth: user }, collection.id, {
          filter,
          filterSyntax: "pocketbase",
        });
      } catch (error) {
        if (!(error instanceof TidingsError)) throw error;
        if (error.code === "INVALID_FILTER") return invalid(reply, { filter: [error.message] });
        if (error.code !== "FORBIDDEN") throw error;
        if (!user) return unauthenticated(reply);
        return reply.status(403).send({ message: "This action is unauthorized." });
      }
      const channel = await channels.issue({
        userId: user?.id ?? null,
        collectionId: collection.id,
        filter: filter?.trim() ? filter : null,
        socketId: socket_id ?? null,
      });
      return { channel_name: channel, is_public: false };
    });
    scope.post("/api/realtime/ping", async (request, reply) => {
      const body = pingBody.safeParse(request.body ?? {});
      const id = body.success ? channels.idOfName(body.data.channel_name) : undefined;
      if (id === undefined)
        return invalid(reply, { channel_name: ["The channel name field must be a valid UUID."] });
      await channels.use(id);
      return { status: "ok" };
    });
  });
}
