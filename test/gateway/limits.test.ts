import type { ChangePayload } from "@tidings/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { collect, eventually, request } from "../support/socket-calls.ts";

const open = openCollection("notes", [{ name: "n", type: "number" }]);

describe("gateway limits and the token lifecycle", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({
      env: {
        TIDINGS_MAX_CONNECTIONS_PER_USER: "2",
        TIDINGS_MAX_SUBSCRIPTIONS_PER_CONNECTION: "2",
        TIDINGS_MAX_MESSAGES_PER_MINUTE: "6",
        TIDINGS_TOKEN_EXPIRY_WARNING: "1",
      },
    });
    await cluster.collection(open);
  });
  afterAll(() => cluster?.[Symbol.asyncDispose]());

  it("connections per user - the third is refused with LIMIT_EXCEEDED", async () => {
    const user = await cluster.user();
    await cluster.socket(0, { token: user.token });
    await cluster.socket(0, { token: user.token });
    const refused = await cluster.socket(0, { token: user.token }).catch((error) => error);
    expect(refused.data).toMatchObject({ code: "LIMIT_EXCEEDED" });
  });

  it("subscriptions per connection - the third is LIMIT_EXCEEDED", async () => {
    const socket = await cluster.socket(0);
    expect((await request(socket, "subscribe", { collection: "notes" })).ok).toBe(true);
    expect((await request(socket, "subscribe", { collection: "notes", filter: "n > 1" })).ok).toBe(
      true,
    );
    const third = await request(socket, "subscribe", { collection: "notes", filter: "n > 2" });
    expect(!third.ok && third.error.code).toBe("LIMIT_EXCEEDED");
  });

  it("messages per minute - past the limit RATE_LIMITED, and other clients are unaffected", async () => {
    const socket = await cluster.socket(0);
    const answers = [];
    for (let i = 0; i < 8; i += 1)
      answers.push(await request(socket, "unsubscribe", { id: `none-${i}` }));
    const codes = answers.map((answer) => (answer.ok ? "ok" : answer.error.code));
    expect(codes.slice(0, 6)).toEqual(Array(6).fill("NOT_FOUND"));
    expect(codes.slice(6)).toEqual(["RATE_LIMITED", "RATE_LIMITED"]);
    const other = await cluster.socket(0);
    expect((await request(other, "subscribe", { collection: "notes" })).ok).toBe(true);
  });

  it("token expiry - a warning first, then the connection is closed with token_expired", async () => {
    const user = await cluster.user();
    const shortLived = await cluster.shortToken(user.user.id, 3);
    const socket = await cluster.socket(0, { token: shortLived });
    const warnings = collect(socket, "auth:expiring");
    const closing = collect(socket, "tidings:disconnect");
    const disconnected = new Promise<string>((resolve) => socket.once("disconnect", resolve));
    expect(await disconnected).toBe("io server disconnect");
    expect(warnings).toHaveLength(1);
    expect(closing).toEqual([{ reason: "token_expired", code: "UNAUTHORIZED", reconnect: false }]);
  });

  it("token refresh - auth with a new token for the same user keeps the connection; another user is FORBIDDEN", async () => {
    const user = await cluster.user();
    const other = await cluster.user();
    const shortLived = await cluster.shortToken(user.user.id, 3);
    const socket = await cluster.socket(0, { token: shortLived });
    const changes = collect<ChangePayload>(socket, "change");
    expect((await request(socket, "subscribe", { collection: "notes" })).ok).toBe(true);
    const refused = await request(socket, "auth", { token: other.token });
    expect(!refused.ok && refused.error.code).toBe("FORBIDDEN");
    const bad = await request(socket, "auth", { token: "garbage" });
    expect(!bad.ok && bad.error.code).toBe("UNAUTHORIZED");
    const renewed = await request(socket, "auth", { token: user.token });
    expect(renewed).toMatchObject({ ok: true, expiresAt: expect.any(String) });
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(socket.connected).toBe(true);
    await cluster.call("POST", "/api/collections/notes/records", { body: { n: 9 } });
    await eventually(() => expect(changes.map((c) => c.record.n)).toContain(9));
  });
});
