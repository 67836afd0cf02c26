import { describe, expect, it } from "vitest";
import { useRecordsHarness } from "../testing/records-harness.ts";

describe("the records API's answers", () => {
  const h = useRecordsHarness("pglite");

  it("carry nosniff, no-referrer and DENY, refusals included", async () => {
    const { call, superuser } = h();
    const answers = [
      await call("GET", "/api/collections", { token: superuser.token }),
      await call("GET", "/api/collections"),
      await call("POST", "/api/auth/login", { body: { email: "x" } }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 400]);
    for (const answer of answers)
      expect(answer.headers).toMatchObject({
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
      });
  });

  it("carry the request's id: the caller's X-Request-Id, or one made up", async () => {
    const { call } = h();
    const given = await call("GET", "/api/collections", {
      headers: { "x-request-id": "edge-1234" },
    });
    expect(given.headers["x-request-id"]).toBe("edge-1234");
    const made = await call("GET", "/api/collections");
    expect(String(made.headers["x-request-id"])).toMatch(/^[0-9a-f-]{36}$/);
  });
});
