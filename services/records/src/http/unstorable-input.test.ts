import { describe, expect, it } from "vitest";
import {
  type Answer,
  type RecordsHarness,
  TEST_PASSWORD,
  TEST_SERVICE_TOKEN,
  useRecordsHarness,
} from "../testing/records-harness.ts";

const NOTES = {
  name: "notes",
  fields: [
    { name: "title", type: "text" },
    { name: "data", type: "json" },
  ],
  listRule: "",
  viewRule: "",
  createRule: "",
  updateRule: "",
  deleteRule: "",
};

const EVENTS = {
  name: "events",
  type: "external",
  fields: [{ name: "data", type: "json" }],
  listRule: "",
  viewRule: "",
};

// PostgreSQL cannot store U+0000 in text or JSON; a lone surrogate has no UTF-8 form.
const NUL = "a\u0000b";
const LONE = "a\ud800b";

/** `levels` nested arrays around 1, as raw JSON text (a value that deep overflows JSON.stringify). */
const nestedJson = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;

function tooDeep(answer: Answer, field: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(answer.body).toMatchObject({ code: "VALIDATION_FAILED" });
  expect(answer.body.message).toContain("nests deeper than 256 levels");
  // The path to the first level too deep, cut short: `data.0.0.…`.
  const [[path, problem]] = Object.entries(answer.body.data) as [[string, { code: string }]];
  expect(path.startsWith(`${field}.0.0.0`) && path.endsWith("…"), path).toBe(true);
  expect(problem.code).toBe("too_deep");
}

function refused(answer: Answer, field: string, code = "nul_character") {
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(answer.body).toMatchObject({
    status: 400,
    code: "VALIDATION_FAILED",
    message: expect.stringContaining(field),
    data: { [field]: { code, message: expect.any(String) } },
  });
}

async function rawPost(h: RecordsHarness, url: string, payload: string, token?: string) {
  const response = await h.app.inject({
    method: "POST",
    url,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    payload,
  });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

describe.each(["postgres", "pglite"] as const)("unstorable and deep input on %s", (backend) => {
  const h = useRecordsHarness(backend);

  async function unchanged(run: () => Promise<void>) {
    const { prisma } = h().db;
    const counts = () =>
      Promise.all([
        prisma.record.count(),
        prisma.outboxEvent.count(),
        prisma.collection.count(),
        prisma.user.count(),
        prisma.publishIdempotencyKey.count(),
      ]);
    const before = await counts();
    await run();
    expect(await counts()).toEqual(before);
  }

  it("a record's text or json field with NUL or a lone surrogate is VALIDATION_FAILED naming it", async () => {
    const { call, collection } = h();
    await collection(NOTES);
    const { body: kept } = await call("POST", "/api/collections/notes/records", {
      body: { title: "kept" },
    });
    await unchanged(async () => {
      for (const [body, field, code] of [
        [{ title: NUL }, "title", "nul_character"],
        [{ title: LONE }, "title", "lone_surrogate"],
        [{ data: { list: ["ok", NUL] } }, "data.list.1", "nul_character"],
        [{ data: { [LONE]: 1 } }, "data.a\\ud800b", "lone_surrogate"],
      ] as const) {
        refused(await call("POST", "/api/collections/notes/records", { body }), field, code);
        const url = `/api/collections/notes/records/${kept.id}`;
        refused(await call("PATCH", url, { body }), field, code);
      }
    });
    const { body: after } = await call("GET", `/api/collections/notes/records/${kept.id}`);
    expect(after).toMatchObject({ title: "kept", data: null });
  });

  it("sign-in and sign-up refuse such text before looking anyone up, unauthenticated", async () => {
    const { call } = h();
    await unchanged(async () => {
      refused(
        await call("POST", "/api/auth/login", { body: { email: NUL, password: "x" } }),
        "email",
      );
      refused(
        await call("POST", "/api/collections/users/auth-with-password", {
          body: { identity: NUL, password: "x" },
        }),
        "identity",
      );
      refused(
        await call("POST", "/api/auth/register", {
          body: { email: "ada@example.com", password: TEST_PASSWORD, name: LONE },
        }),
        "name",
        "lone_surrogate",
      );
    });
  });

  it("the internal publish API refuses it in a record or an idempotency key", async () => {
    const { collection, publish } = h();
    await collection(EVENTS);
    const event = { collection: "events", action: "created", record: { id: "e1" } };
    await unchanged(async () => {
      refused(
        await publish({ ...event, record: { id: "e1", data: { note: NUL } } }),
        "record.data.note",
      );
      refused(await publish({ ...event, idempotencyKey: NUL }), "idempotencyKey");
      refused(
        await publish({ events: [event, { ...event, idempotencyKey: LONE }] }),
        "events.1.idempotencyKey",
        "lone_surrogate",
      );
    });
  });

  it("a collection name or record id with %00 in the path is NOT_FOUND, as an unknown one is", async () => {
    const { call, collection, superuser } = h();
    await collection(NOTES);
    const token = superuser.token;
    await unchanged(async () => {
      for (const [method, url] of [
        ["GET", "/api/collections/no%00tes/records"],
        ["POST", "/api/collections/no%00tes/records"],
        ["GET", "/api/collections/notes/records/r%00"],
        ["PATCH", "/api/collections/notes/records/r%00"],
        ["DELETE", "/api/collections/notes/records/r%00"],
        ["GET", "/api/collections/no%00tes"],
        ["PATCH", "/api/collections/no%00tes"],
        ["DELETE", "/api/collections/no%00tes"],
        ["POST", "/api/collections/us%00ers/auth-with-password"],
        // Percent-encoding that is not UTF-8 (a lone surrogate) names nothing either.
        ["GET", "/api/collections/notes/records/r%ED%A0%80"],
      ] as const) {
        const answer = await call(method, url, { token, body: {} });
        expect(answer.status, `${method} ${url}`).toBe(404);
        expect(answer.body).toMatchObject({ status: 404, code: "NOT_FOUND", data: {} });
      }
    });
  });

  it("a json field nested 3,000 deep is VALIDATION_FAILED; one within the limit is stored", async () => {
    const harness = h();
    await harness.collection(NOTES);
    await harness.collection(EVENTS);
    await unchanged(async () => {
      const url = "/api/collections/notes/records";
      tooDeep(await rawPost(harness, url, `{"data":${nestedJson(3_000)}}`), "data");
      const event = `{"collection":"events","action":"created","record":{"id":"e1","data":${nestedJson(5_000)}}}`;
      const published = await rawPost(harness, "/internal/v1/publish", event, TEST_SERVICE_TOKEN);
      tooDeep(published, "record.data");
    });
    // The body is the outermost level: the json field may nest one less than the limit.
    const stored = await rawPost(
      harness,
      "/api/collections/notes/records",
      `{"data":${nestedJson(255)}}`,
    );
    expect(stored.status).toBe(201);
    const read = await harness.call("GET", `/api/collections/notes/records/${stored.body.id}`);
    expect(JSON.stringify(read.body.data)).toBe(nestedJson(255));
  });
});

describe.each(["postgres", "pglite"] as const)(
  "the largest TIDINGS_JSON_MAX_DEPTH on %s",
  (backend) => {
    const h = useRecordsHarness(backend, { jsonMaxDepth: 1_000 });

    it("a record nested to it is stored and read back; one level more is refused", async () => {
      const harness = h();
      await harness.collection(NOTES);
      const deepest = await rawPost(
        harness,
        "/api/collections/notes/records",
        `{"data":${nestedJson(999)}}`,
      );
      expect(deepest.status).toBe(201);
      const read = await harness.call("GET", `/api/collections/notes/records/${deepest.body.id}`);
      expect(JSON.stringify(read.body.data)).toBe(nestedJson(999));
      const deeper = await rawPost(
        harness,
        "/api/collections/notes/records",
        `{"data":${nestedJson(1_000)}}`,
      );
      expect(deeper.body).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    });
  },
);
