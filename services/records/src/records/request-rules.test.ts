import { readFileSync } from "node:fs";
import type { TestBackend } from "@tidings/db/testing";
import { describe, expect, it } from "vitest";
import {
  type RecordsHarness,
  type TestUser,
  useRecordsHarness,
} from "../testing/records-harness.ts";

// The rule docs/filter.md gives for it: owners edit their posts, and may not hand them to anyone.
const NO_TRANSFER =
  "owner = @request.auth.id && (@request.body.owner:isset = false || @request.body.owner = @request.auth.id)";

const posts = {
  name: "posts",
  fields: [
    { name: "title", type: "text" },
    { name: "owner", type: "relation", collection: "users" },
    { name: "published", type: "date" },
    { name: "labels", type: "relation", collection: "labels", multiple: true },
  ],
  listRule: "owner = @request.auth.id",
  viewRule: "owner = @request.auth.id",
  createRule: "@request.auth.id != '' && owner = @request.auth.id",
  updateRule: NO_TRANSFER,
  deleteRule: "owner = @request.auth.id",
};
const labels = { name: "labels", fields: [{ name: "name", type: "text" }], listRule: "" };

it("docs/filter.md gives the owner-transfer rule this file tests", () => {
  const docs = readFileSync(new URL("../../../../docs/filter.md", import.meta.url), "utf8");
  expect(docs).toContain(NO_TRANSFER);
});

describe.each<TestBackend>(["postgres", "pglite"])(
  "rules that read the request on %s",
  (backend) => {
    const harness = useRecordsHarness(backend);

    async function setUp() {
      const h = harness();
      await h.collection(labels);
      for (const id of ["pub_a", "pub_b", "pub_c", "secret_x"]) {
        await h.call("POST", "/api/collections/labels/records", {
          token: h.superuser.token,
          body: { id, name: id },
        });
      }
      await h.collection(posts);
      const alice = await h.user({ email: "alice@example.com" });
      const bob = await h.user({ email: "bob@example.com" });
      return { h, alice, bob };
    }

    const rules = (h: RecordsHarness, body: Record<string, unknown>) =>
      h.call("PATCH", "/api/collections/posts", { token: h.superuser.token, body });
    const create = (h: RecordsHarness, who: TestUser, body: Record<string, unknown>) =>
      h.call("POST", "/api/collections/posts/records", {
        token: who.token,
        body: { owner: who.user.id, ...body },
      });
    const patch = (h: RecordsHarness, who: TestUser, id: string, body: Record<string, unknown>) =>
      h.call("PATCH", `/api/collections/posts/records/${id}`, { token: who.token, body });
    const listed = async (h: RecordsHarness, who: TestUser) =>
      (await h.call("GET", "/api/collections/posts/records", { token: who.token })).body.items.map(
        (item: { title: string }) => item.title,
      );
    const stored = async (h: RecordsHarness, id: string) =>
      (await h.db.prisma.record.findFirst({ where: { id } }))?.data as Record<string, unknown>;
    const events = (h: RecordsHarness, id: string) =>
      h.db.prisma.outboxEvent.count({ where: { recordId: id } });

    it("owner transfer - refused by a rule on @request.body.owner: nothing written, no event; other edits pass", async () => {
      const { h, alice, bob } = await setUp();
      // The finding: with `owner = @request.auth.id` alone, Bob hands Alice a post she never wrote.
      await rules(h, { updateRule: "owner = @request.auth.id" });
      const planted = (await create(h, bob, { title: "planted" })).body;
      expect((await patch(h, bob, planted.id, { owner: alice.user.id })).status).toBe(200);
      expect(await listed(h, alice)).toEqual(["planted"]);

      await rules(h, { updateRule: NO_TRANSFER });
      const post = (await create(h, bob, { title: "mine" })).body;
      const refused = await patch(h, bob, post.id, { owner: alice.user.id, title: "yours" });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("FORBIDDEN");
      expect(await stored(h, post.id)).toMatchObject({ owner: bob.user.id, title: "mine" });
      expect(await events(h, post.id)).toBe(1);
      expect(await listed(h, alice)).toEqual(["planted"]);
      // Edits that leave the owner alone, or name the owner it already has, still pass.
      expect((await patch(h, bob, post.id, { title: "edited" })).status).toBe(200);
      expect((await patch(h, bob, post.id, { owner: bob.user.id, title: "again" })).status).toBe(
        200,
      );
      expect(await stored(h, post.id)).toMatchObject({ owner: bob.user.id, title: "again" });
      expect(await events(h, post.id)).toBe(3);
    });

    it(":changed - a submitted value equal to the stored one (after normalisation) is no change", async () => {
      const { h, bob } = await setUp();
      await rules(h, {
        updateRule: "owner = @request.auth.id && @request.body.published:changed = false",
      });
      const post = (await create(h, bob, { title: "t", published: "2024-01-01" })).body;
      expect(post.published).toBe("2024-01-01T00:00:00.000Z");
      expect((await patch(h, bob, post.id, { published: "2024-01-01 00:00:00Z" })).status).toBe(
        200,
      );
      expect((await patch(h, bob, post.id, { title: "untouched date" })).status).toBe(200);
      const moved = await patch(h, bob, post.id, { published: "2024-01-02" });
      expect(moved.status).toBe(403);
      expect((await stored(h, post.id)).published).toBe("2024-01-01T00:00:00.000Z");
    });

    it(":length and :each - judge the submitted ids of a multiple relation", async () => {
      const { h, bob } = await setUp();
      await rules(h, {
        createRule:
          "owner = @request.auth.id && @request.body.labels:length <= 2 && (@request.body.labels:length = 0 || @request.body.labels:each ~ 'pub_%')",
        updateRule: "owner = @request.auth.id && @request.body.labels:each !~ 'secret_%'",
      });
      expect((await create(h, bob, { title: "none" })).status).toBe(201);
      expect((await create(h, bob, { title: "two", labels: ["pub_a", "pub_b"] })).status).toBe(201);
      const three = await create(h, bob, { title: "three", labels: ["pub_a", "pub_b", "pub_c"] });
      expect(three.status).toBe(403);
      const secret = await create(h, bob, { title: "secret", labels: ["pub_a", "secret_x"] });
      expect(secret.status).toBe(403);
      expect((await listed(h, bob)).sort()).toEqual(["none", "two"]);
      const post = (await create(h, bob, { title: "p", labels: ["pub_a"] })).body;
      expect((await patch(h, bob, post.id, { labels: ["pub_b", "pub_c", "pub_a"] })).status).toBe(
        200,
      );
      expect((await patch(h, bob, post.id, { labels: ["pub_a", "secret_x"] })).status).toBe(403);
      expect((await stored(h, post.id)).labels).toEqual(["pub_b", "pub_c", "pub_a"]);
    });

    it("@request.query, @request.headers and @request.method - first values, normalised header names", async () => {
      const { h, bob } = await setUp();
      await rules(h, {
        createRule: "owner = @request.auth.id && @request.headers.x_client_app = 'editor'",
        deleteRule:
          "owner = @request.auth.id && @request.method = 'DELETE' && @request.query.confirm = 'yes'",
      });
      expect((await create(h, bob, { title: "no header" })).status).toBe(403);
      const made = await h.call("POST", "/api/collections/posts/records", {
        token: bob.token,
        body: { owner: bob.user.id, title: "with header" },
        headers: { "X-Client-App": "editor" },
      });
      expect(made.status).toBe(201);
      const remove = (query: string) =>
        h.call("DELETE", `/api/collections/posts/records/${made.body.id}${query}`, {
          token: bob.token,
        });
      expect((await remove("")).status).toBe(403);
      expect((await remove("?confirm=no&confirm=yes")).status).toBe(403);
      const bad = await remove("?confirm=%00");
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({
        code: "VALIDATION_FAILED",
        data: { "query.confirm": { code: "nul_character" } },
      });
      expect(await events(h, made.body.id)).toBe(1);
      expect((await remove("?confirm=yes")).status).toBe(204);
      expect(await events(h, made.body.id)).toBe(2);
    });

    it("list and view rules - may not read the query or headers; the body of a read is empty", async () => {
      const { h, bob } = await setUp();
      const refused = await rules(h, {
        viewRule: "owner = @request.auth.id && @request.query.x = '1'",
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        code: "INVALID_RULE",
        data: { rule: "viewRule", position: 28 },
      });
      expect(refused.body.message).toContain("only create, update and delete rules");
      const accepted = await rules(h, {
        listRule:
          "owner = @request.auth.id && @request.body.title:isset = false && @request.method = 'GET'",
      });
      expect(accepted.status).toBe(200);
      await create(h, bob, { title: "seen" });
      expect(await listed(h, bob)).toEqual(["seen"]);
    });
  },
);
