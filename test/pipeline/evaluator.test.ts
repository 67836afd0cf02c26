import { credentials, Metadata } from "@grpc/grpc-js";
import { loadPublisher, startInternalPublish } from "@tidings/records";
import { TEST_SERVICE_TOKEN } from "@tidings/records/testing";
import { createLifecycle } from "@tidings/service";
import { describe, expect, it } from "vitest";
import { eventually, settle } from "./eventually.ts";
import { startPipeline } from "./pipeline-harness.ts";
import type { TestClient } from "./test-gateway.ts";

const posts = {
  name: "posts",
  fields: [
    { name: "title", type: "text" },
    { name: "status", type: "text" },
    { name: "secret", type: "text", hidden: true },
    { name: "owner", type: "relation", collection: "users" },
  ],
  listRule: "status = 'public' || owner = @request.auth.id",
  viewRule: "status = 'public' || owner = @request.auth.id",
  createRule: "",
  updateRule: "",
  deleteRule: "",
};

describe("evaluator", () => {
  it("collection subscription - created, updated and deleted arrive in order, hidden fields removed", async () => {
    await using p = await startPipeline();
    await p.collection(posts);
    const sub = await p.subscribe(null, "posts");
    const client = await p.gateway.client([sub.channel]);
    const created = await p.call("POST", "/api/collections/posts/records", {
      body: { title: "a", status: "public", secret: "s" },
    });
    const url = `/api/collections/posts/records/${created.body.id}`;
    await p.call("PATCH", url, { body: { title: "b" } });
    await p.call("DELETE", url);
    const changes = await settle(client, 3);
    expect(changes.map((c) => c.action)).toEqual(["created", "updated", "deleted"]);
    expect(changes.every((c) => c.channel === sub.channel)).toBe(true);
    expect(changes[0]!.record).toMatchObject({
      id: created.body.id,
      title: "a",
      collectionName: "posts",
    });
    expect(changes.every((c) => !("secret" in c.record))).toBe(true);
    expect(changes[1]!.oldRecord).toMatchObject({ title: "a" });
    expect(changes[1]!.record).toMatchObject({ title: "b" });
    expect(changes[0]!.seq).toBeLessThan(changes[1]!.seq);
    expect(changes[1]!.seq).toBeLessThan(changes[2]!.seq);
  });
});

describe("evaluator - who receives what", () => {
  it("rules with @request.auth: each user gets their own records and the public ones; anonymous only public", async () => {
    await using p = await startPipeline();
    await p.collection(posts);
    const [ann, bob] = [await p.user(), await p.user()];
    const clients = {
      ann: await p.gateway.client([(await p.subscribe(ann, "posts")).channel]),
      bob: await p.gateway.client([(await p.subscribe(bob, "posts")).channel]),
      anon: await p.gateway.client([(await p.subscribe(null, "posts")).channel]),
    };
    const write = (who: typeof ann, title: string, status: string) =>
      p.call("POST", "/api/collections/posts/records", {
        token: who.token,
        body: { title, status, owner: who.user.id },
      });
    await write(ann, "ann-draft", "draft");
    await write(bob, "bob-draft", "draft");
    await write(ann, "ann-public", "public");
    await settle(clients.ann, 2);
    await settle(clients.bob, 2);
    const titles = (client: TestClient) => client.changes.map((c) => c.record.title);
    expect(titles(clients.ann)).toEqual(["ann-draft", "ann-public"]);
    expect(titles(clients.bob)).toEqual(["bob-draft", "ann-public"]);
    expect(titles(clients.anon)).toEqual(["ann-public"]);
  });

  it("single-record subscription: only that record, under the view rule", async () => {
    await using p = await startPipeline();
    await p.collection(posts);
    const one = await p.call("POST", "/api/collections/posts/records", {
      body: { title: "one", status: "public" },
    });
    const two = await p.call("POST", "/api/collections/posts/records", {
      body: { title: "two", status: "public" },
    });
    const client = await p.gateway.client([
      (await p.subscribe(null, "posts", { recordId: one.body.id })).channel,
    ]);
    await p.call("PATCH", `/api/collections/posts/records/${two.body.id}`, {
      body: { title: "two!" },
    });
    await p.call("PATCH", `/api/collections/posts/records/${one.body.id}`, {
      body: { title: "one!" },
    });
    const changes = await settle(client, 1);
    expect(changes.map((c) => [c.action, c.record.title])).toEqual([["updated", "one!"]]);
  });

  it("filter: a record entering gets the full record, one leaving only its id; select and events apply", async () => {
    await using p = await startPipeline();
    await p.collection(posts);
    const full = await p.gateway.client([
      (await p.subscribe(null, "posts", { filter: "title ~ 'hot'" })).channel,
    ]);
    const narrow = await p.gateway.client([
      (
        await p.subscribe(null, "posts", {
          filter: "title ~ 'hot'",
          select: ["title"],
          events: ["created"],
        })
      ).channel,
    ]);
    const created = await p.call("POST", "/api/collections/posts/records", {
      body: { title: "cold", status: "public" },
    });
    const url = `/api/collections/posts/records/${created.body.id}`;
    await p.call("PATCH", url, { body: { title: "hot now" } });
    await p.call("PATCH", url, { body: { title: "hot still", status: "public" } });
    await p.call("PATCH", url, { body: { title: "cold again" } });
    await p.call("POST", "/api/collections/posts/records", {
      body: { title: "hot new", status: "public" },
    });
    const changes = await settle(full, 4);
    expect(changes.map((c) => c.action)).toEqual(["entered", "updated", "left", "created"]);
    expect(changes[0]!.record).toMatchObject({ title: "hot now", status: "public" });
    expect(changes[2]!.record).toEqual({
      id: created.body.id,
      collectionId: created.body.collectionId,
      collectionName: "posts",
    });
    expect(narrow.changes.map((c) => c.action)).toEqual(["created"]);
    expect(Object.keys(narrow.changes[0]!.record).sort()).toEqual([
      "collectionId",
      "collectionName",
      "created",
      "id",
      "title",
      "updated",
    ]);
  });

  it("the writer's own connection (X-Socket-Id) is left out", async () => {
    await using p = await startPipeline();
    await p.collection(posts);
    const { channel } = await p.subscribe(null, "posts");
    const writer = await p.gateway.client([channel]);
    const other = await p.gateway.client([channel]);
    await p.call("POST", "/api/collections/posts/records", {
      body: { title: "mine", status: "public" },
      headers: { "x-socket-id": writer.id },
    });
    await p.call("POST", "/api/collections/posts/records", {
      body: { title: "theirs", status: "public" },
    });
    await settle(other, 2);
    expect(other.changes.map((c) => c.record.title)).toEqual(["mine", "theirs"]);
    expect(writer.changes.map((c) => c.record.title)).toEqual(["theirs"]);
  });

  it("a rule change applies to the next event: stale channels are told to resubscribe and get nothing more", async () => {
    await using p = await startPipeline();
    await p.collection({ ...posts, listRule: "" });
    const ann = await p.user();
    const old = await p.subscribe(ann, "posts");
    const client = await p.gateway.client([old.channel]);
    await p.call("POST", "/api/collections/posts/records", {
      body: { title: "before", status: "draft" },
    });
    await settle(client, 1);
    await p.call("PATCH", "/api/collections/posts", {
      token: p.superuser.token,
      body: { listRule: "owner = @request.auth.id" },
    });
    await p.call("POST", "/api/collections/posts/records", {
      body: { title: "after", status: "draft" },
    });
    await eventually(() => expect(client.resubscribes).toEqual([old.channel]));
    const renewed = await p.subscribe(ann, "posts");
    expect(renewed.channel).not.toBe(old.channel);
    const again = await p.gateway.client([renewed.channel]);
    await p.call("POST", "/api/collections/posts/records", {
      token: ann.token,
      body: { title: "mine", status: "draft", owner: ann.user.id },
    });
    await settle(again, 1);
    expect(client.changes.map((c) => c.record.title)).toEqual(["before"]);
    expect(again.changes.map((c) => c.record.title)).toEqual(["mine"]);
  });
});

describe("evaluator - events published by other services", () => {
  it("events published over HTTP and gRPC reach subscribers like REST writes, under the rules", async () => {
    await using p = await startPipeline();
    await p.collection({
      name: "orders",
      type: "external",
      fields: [
        { name: "total", type: "number" },
        { name: "owner", type: "text" },
      ],
      listRule: "owner = @request.auth.id",
      viewRule: "owner = @request.auth.id",
    });
    const ann = await p.user();
    const client = await p.gateway.client([(await p.subscribe(ann, "orders")).channel]);
    const http = await p.publish({
      collection: "orders",
      action: "created",
      record: { id: "o1", total: 5, owner: ann.user.id },
    });
    expect(http.status).toBe(202);
    await p.publish({
      collection: "orders",
      action: "created",
      record: { id: "o2", total: 9, owner: "someone-else" },
    });
    const grpc = await startInternalPublish(
      { host: "127.0.0.1", port: 0, maxMessageBytes: 65_536, serviceTokens: [TEST_SERVICE_TOKEN] },
      { prisma: p.db.prisma, lifecycle: createLifecycle(), log: { error() {}, warn() {} } },
    );
    try {
      const Publisher = loadPublisher();
      const stub = new Publisher(
        `127.0.0.1:${grpc.grpcPort}`,
        credentials.createInsecure(),
      ) as unknown as {
        Publish(
          request: object,
          metadata: Metadata,
          callback: (error: Error | null, reply: unknown) => void,
        ): void;
        close(): void;
      };
      const metadata = new Metadata();
      metadata.set("authorization", `Bearer ${TEST_SERVICE_TOKEN}`);
      const reply = await new Promise((resolve, reject) =>
        stub.Publish(
          {
            collection: "orders",
            action: "ACTION_UPDATED",
            record_json: JSON.stringify({ id: "o1", total: 7, owner: ann.user.id }),
          },
          metadata,
          (error, answer) => (error ? reject(error) : resolve(answer)),
        ),
      );
      stub.close();
      expect(reply).toMatchObject({ accepted: 1 });
    } finally {
      await grpc.stop();
    }
    const changes = await settle(client, 2);
    expect(changes.map((c) => [c.action, c.record.id, c.record.total])).toEqual([
      ["created", "o1", 5],
      ["updated", "o1", 7],
    ]);
  });
});
