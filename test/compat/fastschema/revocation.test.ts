import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { openCollection } from "../../support/collections.ts";
import { eventually, msUntil } from "../../support/socket-calls.ts";
import { openContent, refusal } from "./content-client.ts";

describe("fastschema: a revoked token closes the connection on every node", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    await cluster.collection(openCollection("posts", [{ name: "title", type: "text" }]));
  });
  afterAll(() => cluster?.[Symbol.asyncDispose]());

  it("revoke - closed 1000 with [401] Token revoked within a second; nothing more arrives; another user's stays", async () => {
    const [ann, bob] = [await cluster.user(), await cluster.user()];
    const query = { schema: "posts", event: "create" };
    const annClient = await openContent(cluster, query, {
      on: 1,
      protocols: ["Authorization", ann.token],
    });
    const bobClient = await openContent(cluster, query, {
      on: 1,
      protocols: ["Authorization", bob.token],
    });
    const revoked = await cluster.call("POST", "/api/auth/revoke", { token: ann.token, on: 0 });
    const answeredAt = Date.now();
    expect(revoked.status).toBe(204);
    expect(await msUntil(annClient.closed, answeredAt)).toBeLessThan(1_000);
    expect(await annClient.closed).toEqual({ code: 1000, reason: "[401] Token revoked" });

    await cluster.call("POST", "/api/collections/posts/records", { body: { title: "after" } });
    await eventually(() => expect(bobClient.messages).toHaveLength(1));
    expect(annClient.messages).toEqual([]);
    expect(
      await refusal(cluster, query, { on: 1, protocols: ["Authorization", ann.token] }),
    ).toEqual({ code: 1000, reason: "[401] Unauthorized" });
    bobClient.ws.close();
  });
});
