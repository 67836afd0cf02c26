import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../support/cluster.ts";
import { openCollection } from "../../support/collections.ts";
import { eventually, msUntil, pause } from "../../support/socket-calls.ts";
import {
  connectEcho,
  connected,
  disconnectEchos,
  RawPusher,
  startPusherCluster,
  subscribeRaw,
} from "./pusher-support.ts";

const posts = openCollection("posts", [{ name: "title", type: "text" }]);

describe("pusher and velo: a revoked token closes the connections it authorized, on every node", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startPusherCluster({ nodes: 2 });
    await cluster.collection(posts);
  });
  afterEach(disconnectEchos);
  afterAll(() => cluster[Symbol.asyncDispose]());

  /** A raw client on node 1 holding a Velo channel of `token`'s user, issued and signed on node 0. */
  async function veloClient(token: string): Promise<RawPusher> {
    const raw = new RawPusher(cluster.nodes[1]!.url);
    const issued = await cluster.call("POST", "/api/realtime/subscribe", {
      token,
      body: { collection: "posts", socket_id: await raw.socketId() },
    });
    expect(issued.status).toBe(200);
    await subscribeRaw(cluster, raw, `private-${issued.body.channel_name}`, token);
    return raw;
  }

  /** A raw client on node 1 in presence channel `presence-desk` as `token`'s user. */
  async function presenceClient(token: string): Promise<RawPusher> {
    const raw = new RawPusher(cluster.nodes[1]!.url);
    await subscribeRaw(cluster, raw, "presence-desk", token);
    return raw;
  }

  const created = (raw: RawPusher) => raw.frames.filter((frame) => frame.event === "created");

  it("revoke - the user's Velo and presence connections get pusher:error 4009 and close 4009 within a second; another user's stay and see the member leave", async () => {
    const [ann, bob] = [await cluster.user(), await cluster.user()];
    const annVelo = await veloClient(ann.token);
    const annDesk = await presenceClient(ann.token);
    const bobVelo = await veloClient(bob.token);
    const bobDesk = await presenceClient(bob.token);
    const revoked = await cluster.call("POST", "/api/auth/revoke", { token: ann.token, on: 0 });
    const answeredAt = Date.now();
    expect(revoked.status).toBe(204);
    for (const raw of [annVelo, annDesk]) {
      expect(await msUntil(raw.closed, answeredAt)).toBeLessThan(1_000);
      expect((await raw.closed).code).toBe(4009);
      expect(raw.frames.find((f) => f.event === "pusher:error")?.data).toMatchObject({
        code: 4009,
      });
    }
    await bobDesk.next(
      (f) => f.event === "pusher_internal:member_removed" && f.data?.user_id === ann.user.id,
    );

    await cluster.call("POST", "/api/collections/posts/records", { body: { title: "after" } });
    await eventually(() => expect(created(bobVelo)).toHaveLength(1));
    expect(created(annVelo)).toEqual([]);
    // The revoked token has nothing signed or issued any more.
    const auth = await cluster.call("POST", "/broadcasting/auth", {
      token: ann.token,
      body: { socket_id: "1.1", channel_name: "presence-desk" },
    });
    expect(auth.status).toBe(403);
    const issue = await cluster.call("POST", "/api/realtime/subscribe", {
      token: ann.token,
      body: { collection: "posts" },
    });
    expect(issue.status).toBe(401);
  });

  it("revoke - a channel signed before the revocation is refused when subscribed after it", async () => {
    const ann = await cluster.user();
    const raw = new RawPusher(cluster.nodes[1]!.url);
    const socketId = await raw.socketId();
    const issued = await cluster.call("POST", "/api/realtime/subscribe", {
      token: ann.token,
      body: { collection: "posts", socket_id: socketId },
    });
    const signed: Record<string, unknown> = {};
    for (const channel of ["presence-desk", `private-${issued.body.channel_name}`]) {
      const answer = await cluster.call("POST", "/broadcasting/auth", {
        token: ann.token,
        body: { socket_id: socketId, channel_name: channel },
      });
      expect(answer.status).toBe(200);
      signed[channel] = answer.body;
    }
    expect((await cluster.call("POST", "/api/auth/revoke", { token: ann.token })).status).toBe(204);
    // Node 1 has heard of it once a new connection with the token is refused there.
    await eventually(async () =>
      expect(
        (
          await cluster.call("POST", "/broadcasting/auth", {
            token: ann.token,
            body: { socket_id: socketId, channel_name: "presence-desk" },
            on: 1,
          })
        ).status,
      ).toBe(403),
    );
    for (const [channel, answer] of Object.entries(signed)) {
      raw.send("pusher:subscribe", { channel, ...(answer as object) });
      const refused = await raw.next((f) => f.channel === channel && f.event.startsWith("pusher"));
      expect(refused).toMatchObject({
        event: "pusher:subscription_error",
        data: { type: "AuthError", status: 401 },
      });
    }
    raw.close();
  });

  it("pusher-js goes to disconnected and does not reconnect by itself", async () => {
    const ann = await cluster.user();
    const { echo, pusher } = connectEcho(cluster.nodes[1]!.url, {
      token: ann.token,
      broadcaster: "reverb",
    });
    await connected(pusher);
    await new Promise<void>((resolve, reject) => {
      echo
        .join("room")
        .here(() => resolve())
        .error(reject);
    });
    const states: string[] = [];
    pusher.connection.bind("state_change", ({ current }: { current: string }) =>
      states.push(current),
    );
    expect((await cluster.call("POST", "/api/auth/revoke", { token: ann.token })).status).toBe(204);
    await eventually(() => expect(states).toContain("disconnected"));
    await pause(2_000);
    expect(pusher.connection.state).toBe("disconnected");
    expect(states).not.toContain("connecting");
  });
});
