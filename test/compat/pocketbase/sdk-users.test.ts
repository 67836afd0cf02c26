import type PocketBase from "pocketbase";
import { ClientResponseError } from "pocketbase";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { eventually, msUntil, pause } from "../../support/socket-calls.ts";
import { createRecord, type RecordEvent, sdk } from "./pocketbase-support.ts";

const PASSWORD = "a long enough password";

/** The error the SDK threw, for its status and `response.data`. */
async function refusal(promise: Promise<unknown>): Promise<ClientResponseError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ClientResponseError);
  return error as ClientResponseError;
}

describe("pocketbase SDK: users as records of the users collection", () => {
  let cluster: Cluster;
  let url: string;
  let admin: PocketBase;
  const clients: PocketBase[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ redis: false });
    url = cluster.nodes[0]?.url as string;
    admin = sdk(url, cluster.superuser.token);
    await cluster.collection({
      name: "notes",
      fields: [
        { name: "title", type: "text" },
        { name: "owner", type: "relation", collection: "users" },
      ],
      listRule: "owner = @request.auth.id",
      viewRule: "owner = @request.auth.id",
    });
  });
  afterAll(async () => {
    for (const pb of clients) await pb.realtime.unsubscribe();
    await cluster?.[Symbol.asyncDispose]();
  });

  it("a superuser creates, lists, reads, updates and deletes users", async () => {
    const users = admin.collection("users");
    const mismatch = await refusal(
      users.create({ email: "sdk1@example.com", password: PASSWORD, passwordConfirm: "other" }),
    );
    expect(mismatch.status).toBe(400);
    expect(mismatch.response.data).toHaveProperty("passwordConfirm");
    const created = await users.create({
      email: "sdk1@example.com",
      password: PASSWORD,
      passwordConfirm: PASSWORD,
      name: "Sdk One",
    });
    expect(created).toMatchObject({
      collectionId: "users",
      collectionName: "users",
      email: "sdk1@example.com",
      name: "Sdk One",
      verified: false,
    });
    const page = await users.getList(1, 50, { filter: 'email ~ "sdk1"', sort: "-created" });
    expect(page.items.map((item) => item.id)).toEqual([created.id]);
    const first = await users.getFirstListItem(`email = "sdk1@example.com"`);
    expect(first.id).toBe(created.id);
    expect((await users.getFullList()).length).toBeGreaterThanOrEqual(2);
    const updated = await users.update(created.id, { name: "Renamed", verified: true });
    expect(updated).toMatchObject({ name: "Renamed", verified: true });
    expect(await users.getOne(created.id, { fields: "id,name" })).toEqual({
      id: created.id,
      name: "Renamed",
    });
    expect(await users.delete(created.id)).toBe(true);
    expect((await refusal(users.getOne(created.id))).status).toBe(404);
  });

  it("a user signs up, signs in, sees only themself, renames and deletes themself", async () => {
    const guest = sdk(url);
    const signedUp = await guest.collection("users").create({
      email: "self@example.com",
      password: PASSWORD,
      passwordConfirm: PASSWORD,
    });
    expect(signedUp).not.toHaveProperty("email");
    const pb = sdk(url);
    const auth = await pb.collection("users").authWithPassword("self@example.com", PASSWORD);
    expect(auth.record.id).toBe(signedUp.id);
    const mine = await pb.collection("users").getList();
    expect(mine.items.map((item) => item.id)).toEqual([signedUp.id]);
    const other = cluster.superuser.user.id;
    expect((await refusal(pb.collection("users").getOne(other))).status).toBe(404);
    const renamed = await pb.collection("users").update(signedUp.id, { name: "Me" });
    expect(renamed.name).toBe("Me");
    // The SDK keeps its auth record in step with an update of itself.
    expect(pb.authStore.record?.name).toBe("Me");
    const noOld = await refusal(
      pb.collection("users").update(signedUp.id, { password: PASSWORD, passwordConfirm: PASSWORD }),
    );
    expect(noOld.response.data).toHaveProperty("oldPassword");
    expect(await pb.collection("users").delete(signedUp.id)).toBe(true);
    // …and forgets the sign-in when the record it deleted was its own.
    expect(pb.authStore.token).toBe("");
  });

  it("impersonate - the superuser's SDK hands back a client acting as the user, realtime included", async () => {
    const ann = await cluster.user();
    const bob = await cluster.user();
    const asAnn = await admin.collection("users").impersonate(ann.user.id, 600);
    clients.push(asAnn);
    expect(asAnn.authStore.isValid).toBe(true);
    expect(asAnn.authStore.record).toMatchObject({ id: ann.user.id, email: ann.user.email });
    const events: RecordEvent[] = [];
    await asAnn.collection("notes").subscribe("*", (event) => events.push(event as RecordEvent));
    await createRecord(cluster, "notes", { title: "bob's", owner: bob.user.id });
    await createRecord(cluster, "notes", { title: "ann's", owner: ann.user.id });
    await eventually(() => expect(events).toHaveLength(1));
    expect(events[0]?.record).toMatchObject({ title: "ann's" });
    await pause(300);
    expect(events).toHaveLength(1);
    const listed = await asAnn.collection("notes").getFullList();
    expect(listed.map((note) => note.title)).toEqual(["ann's"]);
    expect(
      (await refusal(sdk(url, ann.token).collection("users").impersonate(bob.user.id, 0))).status,
    ).toBe(403);
  });

  it("disabling a user ends their realtime stream within a second; signing in says ACCOUNT_DISABLED", async () => {
    const ann = await cluster.user();
    const pb = sdk(url, ann.token);
    clients.push(pb);
    let disconnected: (at: number) => void = () => {};
    const ended = new Promise<number>((resolve) => {
      disconnected = resolve;
    });
    await pb.collection("notes").subscribe("*", () => {});
    pb.realtime.onDisconnect = () => disconnected(Date.now());
    const answer = await cluster.call("PATCH", `/api/users/${ann.user.id}`, {
      token: cluster.superuser.token,
      body: { disabled: true },
    });
    const answeredAt = Date.now();
    expect(answer.status).toBe(200);
    expect(await msUntil(ended, answeredAt)).toBeLessThan(1_000);
    const login = await refusal(
      sdk(url).collection("users").authWithPassword(ann.user.email, "correct horse battery staple"),
    );
    expect(login.status).toBe(403);
    expect(login.response.code).toBe("ACCOUNT_DISABLED");
  });
});
