import type { TestUser } from "@tidings/records/testing";
import type PocketBase from "pocketbase";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../support/cluster.ts";
import { OPEN_RULES, openCollection } from "../../support/collections.ts";
import { eventually, pause } from "../../support/socket-calls.ts";
import {
  createRecord,
  postSubscriptions,
  sdk,
  TEST_PASSWORD,
  watch,
} from "./pocketbase-support.ts";

describe("pocketbase SDK: realtime", () => {
  let cluster: Cluster;
  let url: string;
  let alice: TestUser;
  let bob: TestUser;
  const clients: PocketBase[] = [];

  /** An SDK client, closed after the test; signed in when a user is given. */
  function client(user?: TestUser): PocketBase {
    const pb = sdk(url, user?.token);
    clients.push(pb);
    return pb;
  }

  beforeAll(async () => {
    cluster = await startCluster();
    url = cluster.nodes[0]?.url as string;
    [alice, bob] = await Promise.all([cluster.user(), cluster.user()]);
    await cluster.collection(openCollection("tags", [{ name: "label", type: "text" }]));
    await cluster.collection({
      name: "secret_tags",
      fields: [{ name: "label", type: "text" }],
      ...OPEN_RULES,
      viewRule: "@request.auth.role = 'superuser'",
    });
    await cluster.collection({
      name: "posts",
      fields: [
        { name: "title", type: "text" },
        { name: "body", type: "text" },
        { name: "pin", type: "text", hidden: true },
        { name: "author", type: "relation", collection: "users" },
        { name: "tags", type: "relation", collection: "tags", multiple: true },
        { name: "secret", type: "relation", collection: "secret_tags" },
      ],
      ...OPEN_RULES,
    });
    await cluster.collection({
      name: "members",
      fields: [{ name: "title", type: "text" }],
      ...OPEN_RULES,
      listRule: '@request.auth.id != ""',
      viewRule: '@request.auth.id != ""',
    });
    await cluster.collection({
      name: "owned",
      fields: [
        { name: "title", type: "text" },
        { name: "owner", type: "relation", collection: "users" },
      ],
      ...OPEN_RULES,
      listRule: "owner = @request.auth.id",
      viewRule: "owner = @request.auth.id",
    });
  });

  afterEach(async () => {
    for (const pb of clients.splice(0)) await pb.realtime.unsubscribe();
  });

  afterAll(async () => {
    await cluster?.[Symbol.asyncDispose]();
  });

  it("authWithPassword signs in and the auth store holds a valid token and the user", async () => {
    const pb = client();
    const auth = await pb.collection("users").authWithPassword(alice.user.email, TEST_PASSWORD);
    expect(auth.token).toEqual(expect.any(String));
    expect(auth.record).toMatchObject({
      id: alice.user.id,
      email: alice.user.email,
      collectionName: "users",
    });
    expect(pb.authStore.isValid).toBe(true);
    expect(pb.authStore.record?.id).toBe(alice.user.id);
    await expect(
      pb.collection("users").authWithPassword(alice.user.email, "wrong password"),
    ).rejects.toMatchObject({ status: 400, message: "Failed to authenticate." });
  });

  it("subscribe('*') delivers create, update and delete with the record", async () => {
    const pb = client(alice);
    const { events } = await watch(pb, "posts", "*");
    const created = await pb.collection("posts").create({ title: "hello" });
    await eventually(() => expect(events).toHaveLength(1));
    expect(events[0]).toMatchObject({
      action: "create",
      record: { id: created.id, title: "hello", collectionName: "posts" },
    });
    expect(events[0]?.record.created).toEqual(expect.any(String));
    expect(events[0]?.record.updated).toEqual(expect.any(String));
    expect(events[0]?.record).not.toHaveProperty("pin");

    await pb.collection("posts").update(created.id, { title: "changed" });
    await eventually(() => expect(events).toHaveLength(2));
    expect(events[1]).toMatchObject({ action: "update", record: { title: "changed" } });

    expect(await pb.collection("posts").delete(created.id)).toBe(true);
    await eventually(() => expect(events).toHaveLength(3));
    expect(events[2]).toMatchObject({
      action: "delete",
      record: { id: created.id, title: "changed" },
    });
  });

  it("subscribe(id) receives only that record's events", async () => {
    const pb = client();
    const [one, other] = await Promise.all([
      createRecord(cluster, "posts", { title: "one" }),
      createRecord(cluster, "posts", { title: "other" }),
    ]);
    const { events } = await watch(pb, "posts", one.id);
    await pb.collection("posts").update(other.id, { title: "other changed" });
    await pb.collection("posts").update(one.id, { title: "one changed" });
    await eventually(() => expect(events).toHaveLength(1));
    await pause();
    expect(events).toEqual([
      expect.objectContaining({
        action: "update",
        record: expect.objectContaining({ id: one.id }),
      }),
    ]);
  });

  it("a filter option delivers only matching records; an update into the filter is an update", async () => {
    const pb = client();
    const { events } = await watch(pb, "posts", "*", { filter: 'title ~ "x"' });
    await createRecord(cluster, "posts", { title: "plain" });
    const moved = await createRecord(cluster, "posts", { title: "nope" });
    await createRecord(cluster, "posts", { title: "an x here" });
    await pb.collection("posts").update(moved.id, { title: "x marks" });
    // Leaving the filter sends nothing, as PocketBase does.
    await pb.collection("posts").update(moved.id, { title: "gone" });
    await eventually(() => expect(events).toHaveLength(2));
    await pause();
    expect(events.map((event) => [event.action, event.record.title])).toEqual([
      ["create", "an x here"],
      ["update", "x marks"],
    ]);
  });

  it("fields keeps exactly the listed keys; expand adds relations the subscriber may view", async () => {
    const pb = client(alice);
    const narrow = await watch(pb, "posts", "*", { fields: "id,title" });
    const expanded = await watch(pb, "posts", "*", { expand: "author,tags,secret" });
    const [tag, secret] = await Promise.all([
      createRecord(cluster, "tags", { label: "news" }),
      createRecord(cluster, "secret_tags", { label: "classified" }),
    ]);
    const post = await createRecord(cluster, "posts", {
      title: "with relations",
      author: bob.user.id,
      tags: [tag.id],
      secret: secret.id,
    });
    await eventually(() => expect(narrow.events).toHaveLength(1));
    expect(narrow.events[0]?.record).toEqual({ id: post.id, title: "with relations" });
    await eventually(() => expect(expanded.events).toHaveLength(1));
    const record = expanded.events[0]?.record;
    expect(record?.expand?.author).toEqual({
      id: bob.user.id,
      collectionId: "users",
      collectionName: "users",
      name: "",
      verified: false,
      created: bob.user.created,
      updated: bob.user.updated,
    });
    expect(record?.expand?.tags).toEqual([expect.objectContaining({ id: tag.id, label: "news" })]);
    expect(record?.expand).not.toHaveProperty("secret");
  });

  it("a list rule that needs a user: the guest's subscription is accepted but silent", async () => {
    const guest = client();
    const member = client(alice);
    const asGuest = await watch(guest, "members", "*");
    const asMember = await watch(member, "members", "*");
    await createRecord(cluster, "members", { title: "for members" });
    await eventually(() => expect(asMember.events).toHaveLength(1));
    await pause();
    expect(asGuest.events).toEqual([]);
  });

  it("a rule on the owner: other users get nothing of someone else's records", async () => {
    const asAlice = await watch(client(alice), "owned", "*");
    const asBob = await watch(client(bob), "owned", "*");
    await createRecord(cluster, "owned", { title: "alice's", owner: alice.user.id });
    await eventually(() => expect(asAlice.events).toHaveLength(1));
    await pause();
    expect(asBob.events).toEqual([]);
  });

  it("two subscriptions on one client both fire; unsubscribing one leaves the other", async () => {
    const pb = client();
    const post = await createRecord(cluster, "posts", { title: "watched" });
    const all = await watch(pb, "posts", "*");
    const one = await watch(pb, "posts", post.id);
    await pb.collection("posts").update(post.id, { title: "first" });
    await eventually(() => expect(all.events).toHaveLength(1));
    await eventually(() => expect(one.events).toHaveLength(1));
    const clientId = pb.realtime.clientId;
    await pb.collection("posts").unsubscribe(post.id);
    expect(pb.realtime.clientId).toBe(clientId);
    await pb.collection("posts").update(post.id, { title: "second" });
    await eventually(() => expect(all.events).toHaveLength(2));
    await pause();
    expect(one.events).toHaveLength(1);
  });

  it("removing the last subscription closes the stream and the server forgets the client", async () => {
    const pb = client();
    const { unsubscribe } = await watch(pb, "posts", "*");
    const clientId = pb.realtime.clientId;
    expect(pb.realtime.isConnected).toBe(true);
    await unsubscribe();
    expect(pb.realtime.isConnected).toBe(false);
    await eventually(async () =>
      expect((await postSubscriptions(url, { clientId, subscriptions: [] })).status).toBe(404),
    );
  });
});
