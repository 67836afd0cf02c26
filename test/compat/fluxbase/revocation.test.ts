import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { openCollection } from "../../support/collections.ts";
import { msUntil } from "../../support/socket-calls.ts";
import { connectFluxbase } from "./fluxbase-socket.ts";

describe("fluxbase: a revoked token closes the connection on every node", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    await cluster.collection(openCollection("posts", [{ name: "title", type: "text" }]));
  });
  afterAll(() => cluster?.[Symbol.asyncDispose]());

  it("revoke - an UNAUTHORIZED error frame, then close 1008 token_revoked within a second; nothing more arrives; another user's connection stays", async () => {
    const [ann, bob] = [await cluster.user(), await cluster.user()];
    const url = cluster.nodes[1]!.url;
    const [annSocket, bobSocket] = [
      await connectFluxbase(url, { token: ann.token }),
      await connectFluxbase(url, { token: bob.token }),
    ];
    for (const socket of [annSocket, bobSocket]) {
      socket.send({ type: "subscribe", channel: "table:public.posts" });
      await socket.next({ type: "ack" });
    }
    const revoked = await cluster.call("POST", "/api/auth/revoke", { token: ann.token, on: 0 });
    const answeredAt = Date.now();
    expect(revoked.status).toBe(204);
    expect(await msUntil(annSocket.closed, answeredAt)).toBeLessThan(1_000);
    expect(await annSocket.closed).toEqual({ code: 1008, reason: "token_revoked" });
    expect(await annSocket.next({ type: "error" }, 0)).toMatchObject({
      code: "UNAUTHORIZED",
      error: "token revoked",
    });

    await cluster.call("POST", "/api/collections/posts/records", { body: { title: "after" } });
    expect(await bobSocket.next({ type: "broadcast" })).toMatchObject({
      payload: { type: "INSERT", record: { title: "after" } },
    });
    expect(annSocket.take({ type: "broadcast" })).toEqual([]);
    // The SDK reconnects with the same token: the handshake refuses it.
    await expect(connectFluxbase(url, { token: ann.token })).rejects.toThrow(/401/);
    await bobSocket.close();
  });
});
