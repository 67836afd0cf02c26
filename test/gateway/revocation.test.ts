import type { ChangePayload } from "@tidings/protocol";
import { TEST_PASSWORD } from "@tidings/records/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { collect, eventually, msUntil, pause, request } from "../support/socket-calls.ts";

const open = openCollection("notes", [{ name: "n", type: "number" }]);
const REVOKED = { reason: "token_revoked", code: "UNAUTHORIZED", reconnect: false };

/** A signed-in socket on node `on`, subscribed to notes and in the lobby, and what it receives. */
async function member(cluster: Cluster, on: number, token: string) {
  const socket = await cluster.socket(on, { token });
  const changes = collect<ChangePayload>(socket, "change");
  const closing = collect(socket, "tidings:disconnect");
  const presence = collect<{ leaves: { userId: string | null }[] }>(socket, "presence");
  const closed = new Promise<void>((resolve) => socket.once("disconnect", () => resolve()));
  expect((await request(socket, "subscribe", { collection: "notes" })).ok).toBe(true);
  expect((await request(socket, "presence:join", { room: "lobby" })).ok).toBe(true);
  return { socket, changes, closing, presence, closed };
}

async function refusedEverywhere(cluster: Cluster, token: string): Promise<void> {
  for (const on of [0, 1]) {
    const refused = await cluster.socket(on, { token }).catch((error: { data?: unknown }) => error);
    expect((refused as { data?: unknown }).data).toMatchObject({ code: "UNAUTHORIZED" });
  }
}

describe("revocation reaches live Socket.IO connections on every gateway", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
    await cluster.collection(open);
  });
  afterAll(() => cluster?.[Symbol.asyncDispose]());

  const write = (n: number) =>
    cluster.call("POST", "/api/collections/notes/records", { body: { n }, on: 0 });

  it("revoke - the user's socket on the other node is told token_revoked and closed within a second; nothing reaches it, its token opens nothing, other users stay", async () => {
    const [ann, bob] = [await cluster.user(), await cluster.user()];
    const annOnB = await member(cluster, 1, ann.token);
    const bobOnB = await member(cluster, 1, bob.token);
    const guest = await cluster.socket(1);
    const revoked = await cluster.call("POST", "/api/auth/revoke", { token: ann.token, on: 0 });
    const answeredAt = Date.now();
    expect(revoked.status).toBe(204);
    expect(await msUntil(annOnB.closed, answeredAt)).toBeLessThan(1_000);
    expect(annOnB.closing).toEqual([REVOKED]);
    expect(annOnB.socket.connected).toBe(false);

    await write(1);
    await eventually(() => expect(bobOnB.changes).toHaveLength(1));
    await eventually(() =>
      expect(bobOnB.presence.flatMap((diff) => diff.leaves.map((left) => left.userId))).toContain(
        ann.user.id,
      ),
    );
    expect(annOnB.changes).toEqual([]);
    expect(bobOnB.socket.connected && guest.connected).toBe(true);
    expect(bobOnB.closing).toEqual([]);
    // Neither a new subscription nor a presence join: no connection opens with the token.
    await refusedEverywhere(cluster, ann.token);
  });

  it("revoke - every connection of the user goes, on both nodes, also one signed in later with `auth`", async () => {
    const ann = await cluster.user();
    const onA = await member(cluster, 0, ann.token);
    const onB = await member(cluster, 1, ann.token);
    const signedInLater = await cluster.socket(1);
    const laterClosing = collect(signedInLater, "tidings:disconnect");
    expect((await request(signedInLater, "auth", { token: ann.token })).ok).toBe(true);
    const revoked = await cluster.call("POST", "/api/auth/revoke", { token: ann.token, on: 1 });
    const answeredAt = Date.now();
    expect(revoked.status).toBe(204);
    for (const { closed } of [onA, onB])
      expect(await msUntil(closed, answeredAt)).toBeLessThan(1_000);
    await eventually(() => expect(laterClosing).toEqual([REVOKED]));
    expect(onA.closing).toEqual([REVOKED]);
    expect(onB.closing).toEqual([REVOKED]);
  });

  it("deleted user - once announced, a user who no longer exists loses every connection", async () => {
    const [ann, bob] = [await cluster.user(), await cluster.user()];
    const annOnB = await member(cluster, 1, ann.token);
    const bobOnB = await member(cluster, 1, bob.token);
    const records = cluster.nodes[0]!.server.records;
    await records.db.prisma.user.delete({ where: { id: ann.user.id } });
    records.caches.users.changed(ann.user.id);
    const announcedAt = Date.now();
    expect(await msUntil(annOnB.closed, announcedAt)).toBeLessThan(1_000);
    expect(annOnB.closing).toEqual([REVOKED]);
    await write(2);
    await eventually(() => expect(bobOnB.changes).toHaveLength(1));
    expect(annOnB.changes).toEqual([]);
    await refusedEverywhere(cluster, ann.token);
  });

  it("password change - a replica that sets the superuser's new password from the environment closes the superuser's connections", async () => {
    const admin = await cluster.user({ role: "superuser" });
    const kept = await cluster.user({ role: "user" });
    const adminOnB = await member(cluster, 1, admin.token);
    const keptOnB = await member(cluster, 1, kept.token);
    // The same password makes a user superuser without revoking anything: its socket stays.
    await cluster.addNode({
      TIDINGS_SUPERUSER_EMAIL: kept.user.email,
      TIDINGS_SUPERUSER_PASSWORD: TEST_PASSWORD,
    });
    await cluster.addNode({
      TIDINGS_SUPERUSER_EMAIL: admin.user.email,
      TIDINGS_SUPERUSER_PASSWORD: "a new and much longer password",
    });
    const startedAt = Date.now();
    expect(await msUntil(adminOnB.closed, startedAt)).toBeLessThan(1_000);
    expect(adminOnB.closing).toEqual([REVOKED]);
    await pause(300);
    expect(keptOnB.socket.connected).toBe(true);
    expect(keptOnB.closing).toEqual([]);
    await refusedEverywhere(cluster, admin.token);
  });
});
