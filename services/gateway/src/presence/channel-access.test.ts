import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayConfig } from "../config.ts";
import type { ChannelAuthorizer } from "./channel-access.ts";
import { openTestWorld, startTestNode, type TestWorld } from "./testing/test-node.ts";

let world: TestWorld;
beforeAll(async () => {
  world = await openTestWorld();
});
afterAll(() => world[Symbol.asyncDispose]());

const JOINS = [
  ["presence:join", { room: "lobby" }],
  ["broadcast:join", { topic: "lobby" }],
] as const;

/** The ack codes of both joins for an anonymous client, a user and a superuser. */
async function outcomes(policy?: GatewayConfig["channelAccess"], authorize?: ChannelAuthorizer) {
  await using node = await startTestNode(world, { channelAccess: policy, authorize });
  const clients = {
    anonymous: await node.connect(),
    user: await node.connect((await world.user()).token),
    superuser: await node.connect((await world.user("superuser")).token),
  };
  const result: Record<string, string[]> = {};
  for (const [who, client] of Object.entries(clients)) {
    result[who] = [];
    for (const [event, body] of JOINS) {
      const ack = await client.send(event, body);
      result[who].push(ack.ok ? "ok" : (ack.error.code as string));
    }
  }
  return result;
}

describe("channel access", () => {
  it("access - by default only signed-in clients may join", async () => {
    expect(await outcomes()).toEqual({
      anonymous: ["FORBIDDEN", "FORBIDDEN"],
      user: ["ok", "ok"],
      superuser: ["ok", "ok"],
    });
  });

  it("access - `anyone` lets anonymous clients join", async () => {
    expect(await outcomes("anyone")).toEqual({
      anonymous: ["ok", "ok"],
      user: ["ok", "ok"],
      superuser: ["ok", "ok"],
    });
  });

  it("access - `superusers` refuses everyone else", async () => {
    expect(await outcomes("superusers")).toEqual({
      anonymous: ["FORBIDDEN", "FORBIDDEN"],
      user: ["FORBIDDEN", "FORBIDDEN"],
      superuser: ["ok", "ok"],
    });
  });

  it("access - the embedder's hook narrows the policy and sees kind, name and user", async () => {
    const asked: string[] = [];
    const authorize: ChannelAuthorizer = async (kind, name, auth) => {
      asked.push(`${kind} ${name} ${auth?.role ?? "anonymous"}`);
      return kind === "broadcast" || auth?.role === "superuser";
    };
    expect(await outcomes("anyone", authorize)).toEqual({
      anonymous: ["FORBIDDEN", "ok"],
      user: ["FORBIDDEN", "ok"],
      superuser: ["ok", "ok"],
    });
    expect(asked).toContain("presence lobby user");
  });
});
