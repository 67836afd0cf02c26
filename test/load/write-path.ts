// Where a REST write's CPU goes in the records service: each step of `POST …/records` timed on
// its own against the machine's PostgreSQL, next to a raw driver round trip (the baseline), then
// the whole request through the records app in this process (outbox relay to NATS included).
//
//   npx tsx --conditions=@tidings/source test/load/write-path.ts [--iterations N]
import { parseArgs } from "node:util";
import { createTokenService } from "@tidings/auth";
import { newId, openDatabase } from "@tidings/db";
import { loadConfig, startRecords } from "@tidings/records";
import { TEST_NATS_URL, withNats, withPostgres } from "@tidings/testing";
import { jwtVerify } from "jose";
import pg from "pg";
import { FEED_COLLECTION } from "./workload.ts";

const { values } = parseArgs({ options: { iterations: { type: "string", default: "2000" } } });
const iterations = Number(values.iterations);
const SECRET = "write-path-bench-secret-of-32-characters";

/** CPU and wall time per call of `op`, after a warm-up, one call at a time. */
async function measure(op: (i: number) => Promise<unknown>, n = iterations) {
  for (let i = 0; i < 1_000; i += 1) await op(-i - 1);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < n; i += 1) await op(i);
  const used = process.cpuUsage(cpu);
  return {
    cpuUs: Math.round((used.user + used.system) / n),
    wallUs: Math.round(((performance.now() - started) * 1000) / n),
  };
}

await using database = await withPostgres();
await using nats = await withNats();
const rows: { step: string; cpuUs: number; wallUs: number }[] = [];
const add = async (step: string, op: (i: number) => Promise<unknown>) => {
  rows.push({ step, ...(await measure(op)) });
  process.stderr.write(".");
};

const db = await openDatabase({ url: database.url, poolSize: 4 });
const raw = new pg.Client({ connectionString: database.url });
await raw.connect();
const tokens = createTokenService({ secret: SECRET, ttlSeconds: 3_600 }, db.prisma);
const user = await db.prisma.user.create({
  data: { id: newId(), email: "writer@example.com", passwordHash: "-", tokenKey: newId(24) },
});
const token = await tokens.issue(user);
const collectionId = newId();
await db.prisma.collection.create({ data: { id: collectionId, name: "bench", fields: [] } });
const record = (i: number) => ({
  collectionId,
  id: `${i}-${newId(8)}`,
  data: { title: "write path", n: i },
});
const outbox = (i: number) => ({
  collectionId,
  collectionName: "bench",
  action: "created",
  recordId: String(i),
  record: { title: "write path", n: i },
});

await add("raw pg: SELECT 1 (baseline)", () => raw.query("SELECT 1"));
await add("Prisma: user.findUnique (token check, also collection lookup)", () =>
  db.prisma.user.findUnique({ where: { id: user.id } }),
);
await add("jose: HS256 signature check", () => jwtVerify(token, new TextEncoder().encode(SECRET)));
await add("tokens.verify (signature + user lookup)", () => tokens.verify(token));
await add("Prisma: interactive $transaction, record + outbox", (i) =>
  db.prisma.$transaction(async (tx) => {
    await tx.record.create({ data: record(i) });
    await tx.outboxEvent.create({ data: outbox(i) });
  }),
);
await add("Prisma: batch $transaction([record, outbox])", (i) =>
  db.prisma.$transaction([
    db.prisma.record.create({ data: record(i) }),
    db.prisma.outboxEvent.create({ data: outbox(i) }),
  ]),
);
await add("raw pg: BEGIN; INSERT; INSERT; COMMIT", async (i) => {
  const r = record(i);
  const o = outbox(i);
  await raw.query("BEGIN");
  await raw.query("INSERT INTO records (collection_id, id, data) VALUES ($1, $2, $3)", [
    r.collectionId,
    r.id,
    r.data,
  ]);
  await raw.query(
    "INSERT INTO outbox (collection_id, collection_name, action, record_id, record) VALUES ($1, $2, $3, $4, $5)",
    [o.collectionId, o.collectionName, o.action, o.recordId, o.record],
  );
  await raw.query("COMMIT");
});
await raw.end();
await db.close();

// The whole request: Fastify, auth, rules, validation, relation check, transaction, relay.
const records = await startRecords(
  loadConfig({
    TIDINGS_DATABASE_URL: database.url,
    TIDINGS_NATS_URL: TEST_NATS_URL,
    TIDINGS_NATS_PREFIX: nats.prefix,
    TIDINGS_JWT_SECRET: SECRET,
    TIDINGS_LOG_LEVEL: "error",
    TIDINGS_PORT: "0",
    TIDINGS_GRPC_PORT: "0",
  }),
);
const admin = await records.db.prisma.user.create({
  data: {
    id: newId(),
    email: "admin@example.com",
    passwordHash: "-",
    tokenKey: newId(24),
    role: "superuser",
  },
});
await records.app.inject({
  method: "POST",
  url: "/api/collections",
  headers: { authorization: `Bearer ${await tokens.issue(admin)}` },
  payload: FEED_COLLECTION,
});
// As the owner, not a superuser: the create rule is checked as in the load bench.
const headers = { authorization: `Bearer ${token}` };
const write = (n: number) => ({ owner: user.id, status: "active", title: "write path", n });
await add("whole REST create (app.inject, relay included)", async (i) => {
  const answer = await records.app.inject({
    method: "POST",
    url: "/api/collections/feed/records",
    headers,
    payload: write(i),
  });
  if (answer.statusCode !== 201) throw new Error(answer.body);
});
await records.stop();

const base = rows[0]?.cpuUs ?? 1;
process.stderr.write("\n");
console.log(
  "step                                                          CPU µs  wall µs  × baseline CPU",
);
for (const row of rows)
  console.log(
    `${row.step.padEnd(60)} ${String(row.cpuUs).padStart(7)} ${String(row.wallUs).padStart(8)} ${(row.cpuUs / base).toFixed(1).padStart(15)}`,
  );
