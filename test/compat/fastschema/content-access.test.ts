import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { OPEN_RULES } from "../../support/collections.ts";
import { eventually } from "../../support/socket-calls.ts";
import { subscriptionRowsSince } from "../../support/subscription-rows.ts";
import { contentUrl, openContent, refusal } from "./content-client.ts";
import { rawUpgrade } from "./raw-upgrade.ts";

const fields = [
  { name: "title", type: "text" },
  { name: "owner", type: "relation", collection: "users" },
];
const open = { fields, ...OPEN_RULES };
const members = '@request.auth.id != ""';

describe("FastSchema realtime: connection, auth, refusals and limits", () => {
  let cluster: Cluster;
  let jwt: string;
  beforeAll(async () => {
    cluster = await startCluster({
      env: { TIDINGS_MAX_MESSAGES_PER_MINUTE: "10", TIDINGS_MAX_MESSAGE_BYTES: "1024" },
    });
    await cluster.collection({ name: "posts", ...open });
    await cluster.collection({ name: "members", ...open, listRule: members, viewRule: members });
    await cluster.collection({ name: "locked", ...open, listRule: null, viewRule: null });
    await cluster.collection({ name: "single", ...open, listRule: null });
    await cluster.collection({ name: "quiet", ...open, realtime: false });
    jwt = (await cluster.user()).token;
  });
  afterAll(() => cluster?.[Symbol.asyncDispose]());

  async function create(name: string, title: string): Promise<string> {
    const answer = await cluster.call("POST", `/api/collections/${name}/records`, {
      body: { title },
    });
    expect(answer.status).toBe(201);
    return answer.body.id;
  }

  it("subprotocol - ['Authorization', jwt] opens with the Authorization protocol, signed in", async () => {
    const client = await openContent(
      cluster,
      { schema: "members" },
      { protocols: ["Authorization", jwt] },
    );
    expect(client.ws.protocol).toBe("Authorization");
    const id = await create("members", "seen");
    await eventually(() =>
      expect(client.messages).toEqual([{ event: "create", data: expect.objectContaining({ id }) }]),
    );
  });

  it("headers - Bearer, X-Auth-Token and the token cookie sign in without a subprotocol", async () => {
    const clients = await Promise.all(
      (
        [
          { Authorization: `Bearer ${jwt}` },
          { "X-Auth-Token": jwt },
          { Cookie: `theme=dark; token=${jwt}` },
        ] as Record<string, string>[]
      ).map((headers) => openContent(cluster, { schema: "members" }, { ws: { headers } })),
    );
    for (const client of clients) expect(client.ws.protocol).toBe("");
    const id = await create("members", "seen");
    for (const client of clients)
      await eventually(() =>
        expect(client.messages).toEqual([
          { event: "create", data: expect.objectContaining({ id }) },
        ]),
      );
  });

  it("subprotocol - the browser's 'Authorization, <jwt>' and ws's 'Authorization,<jwt>' are both accepted", async () => {
    const url = contentUrl(cluster, 0, { schema: "members" }).replace(/^ws/, "http");
    const upgrades = await Promise.all(
      [`Authorization, ${jwt}`, `Authorization,${jwt}`].map((offer) =>
        rawUpgrade(url, { "Sec-WebSocket-Protocol": offer }),
      ),
    );
    const id = await create("members", "seen");
    for (const upgrade of upgrades) {
      expect(upgrade.response.headers["sec-websocket-protocol"]).toBe("Authorization");
      const frame = await upgrade.firstFrame;
      expect(frame.opcode).toBe(1);
      expect(JSON.parse(frame.payload.toString())).toMatchObject({ event: "create", data: { id } });
      upgrade.socket.destroy();
    }
    const other = await rawUpgrade(url, { "Sec-WebSocket-Protocol": "chat" });
    expect(other.response.headers["sec-websocket-protocol"]).toBeUndefined();
    other.socket.destroy();
  });

  it("rules - after the 101, a guest is closed with [401] Unauthorized and a user without access with [403] Forbidden", async () => {
    const user = { protocols: ["Authorization", jwt] };
    expect(await refusal(cluster, { schema: "members" })).toEqual({
      code: 1000,
      reason: "[401] Unauthorized",
    });
    expect(await refusal(cluster, { schema: "locked" })).toEqual({
      code: 1000,
      reason: "[401] Unauthorized",
    });
    expect(await refusal(cluster, { schema: "locked" }, user)).toEqual({
      code: 1000,
      reason: "[403] Forbidden",
    });
    expect(await refusal(cluster, { schema: "quiet" }, user)).toEqual({
      code: 1000,
      reason: "[403] Forbidden",
    });
    // A token that does not verify is refused, where FastSchema would carry on as a guest.
    expect(
      await refusal(cluster, { schema: "posts" }, { protocols: ["Authorization", "not-a-jwt"] }),
    ).toEqual({
      code: 1000,
      reason: "[401] Unauthorized",
    });
  });

  it("rules - with an id the view rule decides", async () => {
    const id = await create("single", "one");
    expect(await refusal(cluster, { schema: "single" })).toEqual({
      code: 1000,
      reason: "[401] Unauthorized",
    });
    const client = await openContent(cluster, { schema: "single", event: "update", id });
    await cluster.call("PATCH", `/api/collections/single/records/${id}`, {
      body: { title: "two" },
    });
    await eventually(() =>
      expect(client.messages).toEqual([
        { event: "update", data: expect.objectContaining({ id, title: "two" }) },
      ]),
    );
  });

  it("errors - a bad event, an unknown schema and bad filters close 1000 with FastSchema's reasons, storing nothing", async () => {
    const prisma = cluster.nodes[0]!.server.records.db.prisma;
    const madeHere = await subscriptionRowsSince(prisma);
    const reason = async (query: Record<string, string>) => (await refusal(cluster, query)).reason;
    const filtered = (filter: string) => reason({ schema: "posts", filter });
    expect(await refusal(cluster, { schema: "posts", event: "bogus" })).toEqual({
      code: 1000,
      reason: "realtime.content: invalid event 'bogus'",
    });
    expect(await reason({ schema: "nope" })).toBe("realtime.content: schema not found: nope");
    expect(await filtered("{")).toMatch(/^realtime\.content: invalid filter: /);
    expect(await filtered('{"nope":1}')).toBe(
      'realtime.content: invalid filter: unknown field "nope" at 1',
    );
    expect(await filtered('{"title":{"$regex":"x"}}')).toBe(
      'realtime.content: invalid filter: unknown operator "$regex" at 10',
    );
    // Relations are not joined: a dotted key on a relation field is refused.
    expect(await filtered('{"owner.name":"x"}')).toBe(
      'realtime.content: invalid filter: "owner" is not a json field at 1',
    );
    expect(await reason({ schema: "posts", select: "title,nope" })).toMatch(
      /^realtime\.content: invalid select: .*nope/,
    );
    expect(await reason({ schema: "posts", id: "not an id" })).toBe(
      "realtime.content: invalid id 'not an id'",
    );
    const long = await reason({ schema: "posts", event: "é".repeat(200) });
    expect(long.startsWith("realtime.content: invalid event 'éé")).toBe(true);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(123);
    expect(await madeHere()).toBe(0);
  });

  it("echo - a client's text frame comes back unchanged", async () => {
    const client = await openContent(cluster, { schema: "posts" });
    client.ws.send("hello");
    await eventually(() => expect(client.frames).toEqual(["hello"]));
  });

  it("limits - beyond the message rate the socket closes with 1008, an oversized frame with 1009", async () => {
    const chatty = await openContent(cluster, { schema: "posts" });
    for (let i = 0; i < 15; i += 1) chatty.ws.send(`m${i}`);
    expect(await chatty.closed).toEqual({
      code: 1008,
      reason: "[429] Too many messages; slow down.",
    });
    expect(chatty.frames.length).toBeLessThanOrEqual(10);
    const large = await openContent(cluster, { schema: "posts" });
    large.ws.send("x".repeat(2_000));
    expect((await large.closed).code).toBe(1009);
  });

  it("http - a GET that is not an upgrade is answered 426", async () => {
    const response = await fetch(`${cluster.nodes[0]!.url}/api/realtime/content?schema=posts`);
    expect(response.status).toBe(426);
  });

  it("drain - a draining node closes its clients with 1001 and removes their subscriptions", async () => {
    const prisma = cluster.nodes[0]!.server.records.db.prisma;
    const madeHere = await subscriptionRowsSince(prisma);
    const node = await cluster.addNode();
    const client = await openContent(
      cluster,
      { schema: "posts" },
      { on: cluster.nodes.indexOf(node) },
    );
    expect(await madeHere()).toBe(1);
    await node.stop();
    expect(await client.closed).toEqual({ code: 1001, reason: "[503] Server shutting down" });
    expect(await madeHere()).toBe(0);
  });
});
