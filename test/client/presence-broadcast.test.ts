import {
  type BroadcastSender,
  createClient,
  isForbidden,
  type PresenceMember,
  type TidingsClient,
} from "@tidings/client";
import { eventually, pause } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { startSwitchProxy } from "../support/switch-proxy.ts";

type Meta = { name: string };

describe("presence and broadcast across two live nodes", () => {
  let cluster: Cluster;
  const clients: TidingsClient[] = [];
  const client = (url: string, token?: string) => {
    const made = createClient(url, {
      ...(token ? { token } : {}),
      socket: { transports: ["websocket"], reconnectionDelay: 50, reconnectionDelayMax: 200 },
    });
    clients.push(made);
    return made;
  };
  const signedIn = async (node: number) =>
    client(cluster.nodes[node]!.url, (await cluster.user()).token);
  const names = (members: PresenceMember<Meta>[]) => members.map((m) => m.meta.name).sort();

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
  });
  afterAll(async () => {
    for (const made of clients) made.close();
    await cluster?.[Symbol.asyncDispose]();
  });

  it("presence - members on two nodes see each other join, change their meta and leave", async () => {
    const [aliceClient, bobClient] = await Promise.all([signedIn(0), signedIn(1)]);
    const alice = aliceClient.presence<Meta>("lobby");
    const bob = bobClient.presence<Meta>("lobby");
    const aliceSaw: string[] = [];
    alice.on("join", (member) => aliceSaw.push(`join ${member.meta.name}`));
    alice.on("leave", (member) => aliceSaw.push(`leave ${member.meta.name}`));

    const me = await alice.join({ name: "Alice" });
    expect(me).toMatchObject({ meta: { name: "Alice" }, userId: expect.any(String) });
    expect(alice.joined).toBe(true);
    await eventually(() => expect(names(alice.members)).toEqual(["Alice"]));
    await bob.join({ name: "Bob" });
    await eventually(() => expect(names(bob.members)).toEqual(["Alice", "Bob"]));
    await eventually(() => expect(names(alice.members)).toEqual(["Alice", "Bob"]));

    await bob.join({ name: "Robert" });
    await eventually(() => expect(names(alice.members)).toEqual(["Alice", "Robert"]));
    await bob.leave();
    expect(bob.members).toEqual([]);
    await eventually(() => expect(names(alice.members)).toEqual(["Alice"]));
    expect(aliceSaw).toEqual(["join Alice", "join Bob", "join Robert", "leave Robert"]);
  });

  it("presence - a client that reconnects is in the room again with the same meta", async () => {
    await using proxy = await startSwitchProxy(cluster.nodes[1]!.port);
    const alice = (await signedIn(0)).presence<Meta>("hall");
    const bobClient = client(proxy.url, (await cluster.user()).token);
    const bob = bobClient.presence<Meta>("hall");
    await alice.join({ name: "Alice" });
    await bob.join({ name: "Bob" });
    await eventually(() => expect(names(alice.members)).toEqual(["Alice", "Bob"]));
    const before = bobClient.id;

    proxy.cut();
    await eventually(() => expect(bobClient.state).toBe("connecting"));
    await eventually(() => expect(bobClient.state).toBe("open"));
    await eventually(() =>
      expect(bob.members.map((m) => m.id).sort()).toEqual(alice.members.map((m) => m.id).sort()),
    );
    await eventually(() => expect(names(alice.members)).toEqual(["Alice", "Bob"]));
    expect(alice.members.map((m) => m.id)).toContain(bobClient.id);
    expect(bobClient.id).not.toBe(before);
  });

  it("broadcast - reaches the topic's other members on every node, never the sender", async () => {
    const [alice, bob, carol] = await Promise.all([signedIn(0), signedIn(1), signedIn(0)]);
    const got = { bob: [] as unknown[], carol: [] as unknown[], alice: [] as unknown[] };
    let from: BroadcastSender | undefined;
    for (const [name, t] of [
      ["alice", alice],
      ["bob", bob],
      ["carol", carol],
    ] as const) {
      const topic = t.topic<{ x: number }>("cursors");
      topic.on("message", (payload, sender) => {
        got[name].push(payload);
        from = sender;
      });
      await topic.join();
    }
    await alice.topic("cursors").send({ x: 1 });
    await eventually(() => expect([got.bob, got.carol]).toEqual([[{ x: 1 }], [{ x: 1 }]]));
    expect(from).toEqual({ id: alice.id, userId: expect.any(String) });
    await pause();
    expect(got.alice).toEqual([]);

    await bob.topic("cursors").leave();
    await carol.topic("cursors").send({ x: 2 });
    await eventually(() => expect(got.alice).toEqual([{ x: 2 }]));
    await pause();
    expect(got.bob).toEqual([{ x: 1 }]);
  });

  it("refusals - sending to a topic not joined, and anonymous joins, are FORBIDDEN", async () => {
    const member = await signedIn(0);
    const notJoined = await member
      .topic("elsewhere")
      .send({})
      .catch((error: unknown) => error);
    expect(isForbidden(notJoined)).toBe(true);
    const anonymous = client(cluster.nodes[0]!.url);
    const presence = await anonymous
      .presence("lobby")
      .join({})
      .catch((error: unknown) => error);
    expect(isForbidden(presence)).toBe(true);
    const topic = await anonymous
      .topic("cursors")
      .join()
      .catch((error: unknown) => error);
    expect(isForbidden(topic)).toBe(true);
  });
});
