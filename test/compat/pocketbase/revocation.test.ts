import type PocketBase from "pocketbase";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { openCollection } from "../../support/collections.ts";
import { eventually, msUntil, pause } from "../../support/socket-calls.ts";
import {
  createRecord,
  postSubscriptions,
  type RawStream,
  type RecordEvent,
  rawStream,
  sdk,
  TEST_PASSWORD,
} from "./pocketbase-support.ts";

describe("pocketbase realtime: a revoked token ends the stream on every node", () => {
  let cluster: Cluster;
  const streams: RawStream[] = [];
  const clients: PocketBase[] = [];
  const url = (node: number) => cluster.nodes[node]?.url as string;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    await cluster.collection(openCollection("posts", [{ name: "title", type: "text" }]));
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    for (const pb of clients) await pb.realtime.unsubscribe();
    await cluster?.[Symbol.asyncDispose]();
  });

  /** A raw stream on node `on`, subscribed to `posts/*` with `token`. */
  async function subscribedStream(on: number, token: string): Promise<RawStream> {
    const stream = await rawStream(url(on));
    streams.push(stream);
    const posted = await postSubscriptions(
      url(on),
      { clientId: stream.clientId, subscriptions: ["posts/*"] },
      token,
    );
    expect(posted.status).toBe(204);
    return stream;
  }

  const eventsOf = (stream: RawStream) =>
    stream.frames.filter((frame) => frame.event === "posts/*");

  it("revoke - the user's stream on the other node ends within a second and gets nothing more; another user's stays; the token is refused", async () => {
    const [ann, bob] = [await cluster.user(), await cluster.user()];
    const annStream = await subscribedStream(1, ann.token);
    const bobStream = await subscribedStream(1, bob.token);
    const revoked = await cluster.call("POST", "/api/auth/revoke", { token: ann.token, on: 0 });
    const answeredAt = Date.now();
    expect(revoked.status).toBe(204);
    expect(await msUntil(annStream.ended, answeredAt)).toBeLessThan(1_000);

    await createRecord(cluster, "posts", { title: "after" });
    await eventually(() => expect(eventsOf(bobStream)).toHaveLength(1));
    expect(eventsOf(annStream)).toEqual([]);
    // A new stream cannot be subscribed with the revoked token, on either node.
    for (const on of [0, 1]) {
      const again = await rawStream(url(on));
      streams.push(again);
      const refused = await postSubscriptions(
        url(on),
        { clientId: again.clientId, subscriptions: ["posts/*"] },
        ann.token,
      );
      expect(refused.status).toBe(401);
    }
  });

  it("the SDK sees the disconnect, gets nothing while it holds the revoked token, and resubscribes by itself once signed in again", async () => {
    const ann = await cluster.user();
    const pb = sdk(url(1), ann.token);
    clients.push(pb);
    const disconnects: number[] = [];
    pb.realtime.onDisconnect = () => disconnects.push(Date.now());
    const events: RecordEvent[] = [];
    await pb.collection("posts").subscribe("*", (event) => events.push(event as RecordEvent));
    expect((await cluster.call("POST", "/api/auth/revoke", { token: ann.token })).status).toBe(204);
    const answeredAt = Date.now();
    await eventually(() => expect(disconnects.length).toBeGreaterThan(0));
    expect((disconnects[0] as number) - answeredAt).toBeLessThan(1_000);
    await createRecord(cluster, "posts", { title: "while revoked" });
    await pause(1_000);
    expect(events).toEqual([]);

    const login = await cluster.call("POST", "/api/collections/users/auth-with-password", {
      body: { identity: ann.user.email, password: TEST_PASSWORD },
    });
    pb.authStore.save(login.body.token, login.body.record);
    await eventually(async () => {
      if (events.length === 0) await createRecord(cluster, "posts", { title: "signed in again" });
      await eventually(() => expect(events.length).toBeGreaterThan(0), 1_000);
    }, 15_000);
  });
});
