import { describe, expect, it } from "vitest";
import { TEST_PASSWORD, useRecordsHarness } from "../testing/records-harness.ts";

describe("PocketBase auth and request shapes", () => {
  const h = useRecordsHarness("postgres");
  const login = (collection: string, body: unknown) =>
    h().call("POST", `/api/collections/${collection}/auth-with-password`, { body });

  it("auth-with-password answers a token and the user as a users auth record", async () => {
    const { user } = await h().user({ email: "ada@example.com" });
    const answer = await login("users", { identity: "ADA@example.com", password: TEST_PASSWORD });
    expect(answer.status).toBe(200);
    expect(answer.body.record).toEqual({
      id: user.id,
      collectionId: "users",
      collectionName: "users",
      email: "ada@example.com",
      name: "",
      verified: false,
      created: user.created,
      updated: user.updated,
    });
    const me = await h().call("GET", "/api/auth/me", {
      headers: { authorization: answer.body.token },
    });
    expect(me.body.user.id).toBe(user.id);
  });

  it("refuses bad credentials, other identity fields and non-auth collections as PocketBase does", async () => {
    const { user } = await h().user();
    const wrong = await login("users", { identity: user.email, password: "not it" });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ status: 400, message: "Failed to authenticate." });
    const field = { identity: user.email, password: TEST_PASSWORD, identityField: "username" };
    expect((await login("users", field)).body.code).toBe("VALIDATION_FAILED");
    expect((await login("users", {})).status).toBe(400);
    expect((await login("posts", { identity: user.email, password: TEST_PASSWORD })).status).toBe(
      404,
    );
  });

  it("_superusers signs in superusers only", async () => {
    const admin = await h().user({ role: "superuser" });
    const user = await h().user();
    const asAdmin = await login("_superusers", {
      identity: admin.user.email,
      password: TEST_PASSWORD,
    });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.record.collectionName).toBe("_superusers");
    const asUser = await login("_superusers", {
      identity: user.user.email,
      password: TEST_PASSWORD,
    });
    expect(asUser.body).toMatchObject({ status: 400, message: "Failed to authenticate." });
  });

  it("a DELETE with a JSON content type and no body is handled like one without", async () => {
    await h().collection({
      name: "notes",
      fields: [{ name: "title", type: "text" }],
      createRule: "",
      deleteRule: "",
    });
    const note = await h().call("POST", "/api/collections/notes/records", { body: { title: "x" } });
    const answer = await h().app.inject({
      method: "DELETE",
      url: `/api/collections/notes/records/${note.body.id}`,
      headers: { "content-type": "application/json", "content-length": "0" },
    });
    expect(answer.statusCode).toBe(204);
  });
});
