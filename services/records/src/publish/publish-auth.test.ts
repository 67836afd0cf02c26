import { describe, expect, it } from "vitest";
import { ORDERS, outboxRows } from "../testing/publish-fixtures.ts";
import { TEST_SERVICE_TOKEN, useRecordsHarness } from "../testing/records-harness.ts";
import { createServiceAuth } from "./service-auth.ts";

const event = { collection: "orders", action: "created", record: { id: "o1", title: "x" } };
const UNAUTHORIZED = { status: 401, body: { code: "UNAUTHORIZED" } };

describe("createServiceAuth", () => {
  it("accepts each configured token, as Bearer or bare, and nothing else", () => {
    const other = "another-service-token-of-32-characters!";
    const check = createServiceAuth([TEST_SERVICE_TOKEN, other]);
    expect(() => check(`Bearer ${TEST_SERVICE_TOKEN}`)).not.toThrow();
    expect(() => check(`bearer  ${other} `)).not.toThrow();
    expect(() => check(other)).not.toThrow();
    for (const header of [undefined, "", "Bearer ", `Bearer ${TEST_SERVICE_TOKEN}x`, "Bearer x"])
      expect(() => check(header), String(header)).toThrow(/service token/);
  });

  it("refuses everything when no token is configured", () => {
    const check = createServiceAuth([]);
    expect(() => check(`Bearer ${TEST_SERVICE_TOKEN}`)).toThrow(/service token/);
    expect(() => check("Bearer ")).toThrow(/service token/);
  });
});

describe.each(["postgres", "pglite"] as const)("internal publish auth on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("publish - refuses user tokens, even a superuser's, and writes nothing", async () => {
    const { collection, db, publish, superuser, user } = h();
    await collection(ORDERS);
    const someone = await user();
    expect(await publish(event, { token: someone.token })).toMatchObject(UNAUTHORIZED);
    expect(await publish(event, { token: superuser.token })).toMatchObject(UNAUTHORIZED);
    expect(await outboxRows(db)).toEqual([]);
  });

  it("publish - refuses a missing or wrong service token before reading the body", async () => {
    const { app, collection, db, publish } = h();
    await collection(ORDERS);
    expect(await publish(event, { token: undefined })).toMatchObject(UNAUTHORIZED);
    expect(await publish(event, { token: `${TEST_SERVICE_TOKEN}-not` })).toMatchObject(
      UNAUTHORIZED,
    );
    const garbage = await app.inject({
      method: "POST",
      url: "/internal/v1/publish",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(garbage.statusCode).toBe(401);
    expect(await outboxRows(db)).toEqual([]);
  });

  it("the records routes still refuse a service token as a user token", async () => {
    const { call } = h();
    const answer = await call("GET", "/api/auth/me", { token: TEST_SERVICE_TOKEN });
    expect(answer).toMatchObject(UNAUTHORIZED);
  });
});

describe("internal publish with no service tokens configured", () => {
  const h = useRecordsHarness("pglite", { serviceTokens: [] });

  it("publish - refuses every request", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    expect(await publish(event)).toMatchObject(UNAUTHORIZED);
    expect(await outboxRows(db)).toEqual([]);
  });
});
