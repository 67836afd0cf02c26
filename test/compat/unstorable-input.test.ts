import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { collect, eventually, request } from "../support/socket-calls.ts";
import { connectFluxbase, type FluxbaseSocket } from "./fluxbase/fluxbase-socket.ts";
import { startPusherCluster } from "./pusher/pusher-support.ts";

/** `levels` nested arrays around 1, as JSON text. */
const nestedJson = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;

describe("text the database cannot store, and deep JSON, on the realtime transports", () => {
  let cluster: Cluster;
  let fluxbase: FluxbaseSocket;

  beforeAll(async () => {
    cluster = await startPusherCluster();
    await cluster.collection(openCollection("posts", [{ name: "title", type: "text" }]));
    await cluster.collection(openCollection("docs", [{ name: "data", type: "json" }]));
    fluxbase = await connectFluxbase(cluster.nodes[0]!.url, { token: cluster.superuser.token });
  });
  afterAll(async () => {
    await fluxbase?.close();
    await cluster?.[Symbol.asyncDispose]();
  });

  it("velo - a collection name with NUL is Laravel's 422 for the field, and no channel is issued", async () => {
    const prisma = cluster.nodes[0]!.server.records.db.prisma;
    const before = await prisma.veloChannel.count();
    const answer = await cluster.call("POST", "/api/realtime/subscribe", {
      body: { collection: "po\u0000sts" },
    });
    expect(answer).toEqual({
      status: 422,
      body: {
        message: "The collection field is invalid.",
        errors: { collection: ["The collection field is invalid."] },
      },
    });
    const lone = await cluster.call("POST", "/api/realtime/subscribe", {
      body: { collection: "posts", filter: "title = '\ud800'" },
    });
    expect(lone.body.errors).toEqual({ filter: ["The filter field is invalid."] });
    expect(await prisma.veloChannel.count()).toBe(before);
  });

  it("fluxbase - a broadcast payload nested 5,000 deep is refused as INVALID_MESSAGE, naming it", async () => {
    fluxbase.ws.send(
      `{"type":"broadcast","channel":"room","event":"m","payload":${nestedJson(5_000)}}`,
    );
    const refusal = await fluxbase.next({ type: "error" });
    expect(refusal).toMatchObject({ code: "INVALID_MESSAGE" });
    expect(refusal.message).toMatch(
      /^invalid broadcast message: payload(\.0)+.*: nests deeper than 256 levels/,
    );
    // The connection keeps serving.
    await fluxbase.settle();
  });

  it("fluxbase - a table name with NUL is refused as INVALID_MESSAGE before any lookup", async () => {
    fluxbase.send({
      type: "subscribe",
      config: { event: "*", schema: "public", table: "po\u0000sts" },
    });
    expect(await fluxbase.next({ type: "error" })).toMatchObject({
      code: "INVALID_MESSAGE",
      message:
        "invalid subscribe message: config.table: contains a NUL character (U+0000), which cannot be stored",
    });
  });

  it("socket.io - a broadcast payload nested too deep is INVALID_MESSAGE, naming the field", async () => {
    const socket = await cluster.socket(0, { token: cluster.superuser.token });
    const ack = await request(socket, "broadcast", {
      topic: "chat",
      payload: JSON.parse(nestedJson(3_000)),
    });
    expect(ack).toMatchObject({ ok: false, error: { code: "INVALID_MESSAGE" } });
    const data = ack.ok ? {} : (ack.error.data ?? {});
    expect(Object.keys(data)).toEqual([expect.stringMatching(/^payload(\.0)+\.?…$/)]);
    expect(Object.values(data)).toEqual([expect.objectContaining({ code: "too_deep" })]);
  });

  it("a record nested as deep as the limit allows is stored and reaches a subscriber", async () => {
    const socket = await cluster.socket(0);
    const changes = collect<{ record: { data: unknown } }>(socket, "change");
    expect(await request(socket, "subscribe", { collection: "docs" })).toMatchObject({ ok: true });
    // The body is the outermost level, so the field may nest one less than the limit.
    const data = JSON.parse(nestedJson(255));
    const created = await cluster.call("POST", "/api/collections/docs/records", { body: { data } });
    expect(created.status).toBe(201);
    await eventually(() => expect(changes).toHaveLength(1));
    expect(changes[0]?.record.data).toEqual(data);
  });
});
