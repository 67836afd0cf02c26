import { describe, expect, it } from "vitest";
import { useReplicaPair } from "./testing/replica-pair.ts";

// Two replicas of the records service on one database and one bus, each with its own caches, as
// two processes of a cluster have: what one changes, the other must not serve stale.
describe("shared caches across replicas", () => {
  const replicas = useReplicaPair("replicas");

  it("a rule changed through one replica applies on the other at once", async () => {
    const { a, b } = replicas();
    await a.collection({ name: "notes", fields: [{ name: "title", type: "text" }], listRule: "" });
    const user = await a.user();
    expect(
      (await b.call("GET", "/api/collections/notes/records", { token: user.token })).status,
    ).toBe(200);
    const patched = await a.call("PATCH", "/api/collections/notes", {
      token: a.superuser.token,
      body: { listRule: null },
    });
    expect(patched.status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      (await b.call("GET", "/api/collections/notes/records", { token: user.token })).status,
    ).toBe(403);
  });

  it("a collection deleted and made again under the same name is the new one everywhere", async () => {
    const { a, b } = replicas();
    await a.collection({ name: "drafts", fields: [{ name: "title", type: "text" }], listRule: "" });
    const user = await a.user();
    await b.call("POST", "/api/collections/drafts/records", {
      token: user.token,
      body: { title: "x" },
    });
    await a.call("DELETE", "/api/collections/drafts", { token: a.superuser.token });
    await a.collection({
      name: "drafts",
      fields: [{ name: "body", type: "text" }],
      createRule: "",
    });
    await new Promise((resolve) => setImmediate(resolve));
    const created = await b.call("POST", "/api/collections/drafts/records", {
      token: user.token,
      body: { body: "new field" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ body: "new field" });
  });

  it("a token revoked through one replica is refused by the other at once", async () => {
    const { a, b } = replicas();
    const user = await a.user();
    expect((await b.call("GET", "/api/auth/me", { token: user.token })).status).toBe(200);
    expect((await a.call("POST", "/api/auth/revoke", { token: user.token })).status).toBe(204);
    await new Promise((resolve) => setImmediate(resolve));
    const refused = await b.call("GET", "/api/auth/me", { token: user.token });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe("UNAUTHORIZED");
  });
});
