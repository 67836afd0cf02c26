import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withPostgres } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { DataDirInUseError, lockDataDir } from "./data-dir-lock.ts";
import { newId } from "./ids.ts";
import { MIGRATIONS_DIR, migrate, readMigrations } from "./migrate.ts";
import { type Database, openDatabase } from "./open-database.ts";
import { connectPgRunner } from "./pg-runner.ts";

// A folder holding only the named migration of the real ones: an older version's schema.
async function oneMigrationDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tidings-migrations-"));
  await mkdir(join(dir, name));
  await writeFile(
    join(dir, name, "migration.sql"),
    await readFile(join(MIGRATIONS_DIR, name, "migration.sql")),
  );
  return dir;
}

// Writes and reads back one row of every model with every column set: a column that the Prisma
// schema has and the SQL migrations lack (or the reverse type) fails here.
async function roundTripEveryModel(db: Database): Promise<void> {
  const { prisma } = db;
  const user = await prisma.user.create({
    data: {
      id: newId(),
      email: `${newId()}@example.com`,
      name: "Ada",
      passwordHash: "h",
      tokenKey: "k",
      role: "superuser",
      verified: true,
      disabled: true,
    },
  });
  const collection = await prisma.collection.create({
    data: {
      id: newId(),
      name: `posts_${newId(6)}`,
      type: "external",
      fields: [{ name: "title", type: "text" }],
      listRule: "",
      viewRule: null,
      createRule: "owner = @request.auth.id",
      updateRule: "",
      deleteRule: null,
      realtime: false,
    },
  });
  const record = await prisma.record.create({
    data: { id: newId(), collectionId: collection.id, data: { title: "x" }, version: 2 },
  });
  const event = await prisma.outboxEvent.create({
    data: {
      collectionId: collection.id,
      collectionName: collection.name,
      action: "created",
      recordId: record.id,
      record: { id: record.id },
      oldRecord: { id: record.id },
      socketId: "s1",
      sentAt: new Date(),
    },
  });
  const key = await prisma.publishIdempotencyKey.create({ data: { key: `k-${newId()}` } });
  expect(await prisma.publishIdempotencyKey.findUniqueOrThrow({ where: { key: key.key } })).toEqual(
    { key: key.key, created: key.created },
  );
  const connection = await prisma.realtimeConnection.create({
    data: {
      id: newId(),
      userId: user.id,
      nodeId: "n1",
      protocol: "pocketbase",
      disconnectedAt: new Date(),
    },
  });
  await prisma.realtimeSubscription.create({
    data: {
      id: newId(),
      connectionId: connection.id,
      userId: user.id,
      collectionId: collection.id,
      recordId: record.id,
      filter: "title = 'x'",
      events: ["created"],
      select: ["title"],
      channel: "c1",
      auth: { id: user.id, role: "superuser" },
      superuser: true,
      rulesVersion: collection.updated.toISOString(),
      expiresAt: new Date(),
    },
  });
  const velo = await prisma.veloChannel.create({
    data: {
      id: "0b6f3c1e-4a51-4f0e-9a52-2f1d1c0e7a11",
      userId: user.id,
      collectionId: collection.id,
      filter: "title = 'x'",
      socketId: "1234.5678",
      lastUsedAt: new Date(),
    },
  });
  expect(await prisma.veloChannel.findUniqueOrThrow({ where: { id: velo.id } })).toEqual(velo);
  const instance = await prisma.tidingsMeta.findUniqueOrThrow({ where: { key: "instance" } });
  expect(instance.value).toMatch(/^[0-9a-f]{32}$/);
  expect(await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
    role: "superuser",
    verified: true,
    disabled: true,
  });
  expect(
    (await prisma.collection.findFirstOrThrow({ where: { id: collection.id } })).fields,
  ).toEqual([{ name: "title", type: "text" }]);
  expect(await prisma.record.findFirstOrThrow({ where: { id: record.id } })).toMatchObject({
    version: 2,
    data: { title: "x" },
  });
  expect((await prisma.outboxEvent.findFirstOrThrow({ where: { seq: event.seq } })).socketId).toBe(
    "s1",
  );
  const subs = await prisma.realtimeSubscription.findMany({
    where: { connectionId: connection.id },
  });
  expect(subs[0]).toMatchObject({
    events: ["created"],
    select: ["title"],
    superuser: true,
    auth: { role: "superuser" },
  });
  // Deleting the connection removes its subscriptions; deleting the collection its records.
  await prisma.realtimeConnection.delete({ where: { id: connection.id } });
  expect(await prisma.realtimeSubscription.count({ where: { connectionId: connection.id } })).toBe(
    0,
  );
  await prisma.collection.delete({ where: { id: collection.id } });
  expect(await prisma.record.count({ where: { collectionId: collection.id } })).toBe(0);
}

describe("openDatabase", () => {
  it("migrates PostgreSQL and serves every model through Prisma", async () => {
    await using pg = await withPostgres();
    const db = await openDatabase({ url: pg.url, poolSize: 2 });
    try {
      expect(db.kind).toBe("postgres");
      expect(db.appliedMigrations.length).toBeGreaterThan(0);
      await db.ping();
      await roundTripEveryModel(db);
    } finally {
      await db.close();
    }
  });

  it("with migrate: false, refuses a schema that is behind, saying what to start first", async () => {
    await using pg = await withPostgres();
    const check = () => openDatabase({ url: pg.url, poolSize: 2, migrate: false });
    await expect(check()).rejects.toThrow(/schema is behind this version.*start it first/);
    // Partly migrated: the records service of an older version ran, this one's did not yet.
    const runner = await connectPgRunner(pg.url);
    const [first] = await readMigrations();
    const older = await oneMigrationDir(first!.name);
    try {
      await migrate(runner, older);
    } finally {
      await runner.close();
      await rm(older, { recursive: true });
    }
    await expect(check()).rejects.toThrow(/migration\(s\) not applied/);
    const migrated = await openDatabase({ url: pg.url, poolSize: 2 });
    await migrated.close();
    const db = await check();
    try {
      expect(db.appliedMigrations).toEqual([]);
      await db.ping();
    } finally {
      await db.close();
    }
  });

  it("migrates an embedded PGlite directory once and keeps its data across reopen", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tidings-pglite-"));
    try {
      const first = await openDatabase({ dataDir: dir });
      expect(first.kind).toBe("pglite");
      expect(first.appliedMigrations.length).toBeGreaterThan(0);
      await roundTripEveryModel(first);
      await first.prisma.user.create({
        data: { id: "keepme", email: "keep@example.com", passwordHash: "h", tokenKey: "k" },
      });
      await first.close();
      const second = await openDatabase({ dataDir: dir });
      try {
        expect(second.appliedMigrations).toEqual([]);
        expect(await second.prisma.user.findUnique({ where: { id: "keepme" } })).not.toBeNull();
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("lockDataDir", () => {
  it("refuses a directory held by another live process and takes over a stale lock", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tidings-lock-"));
    try {
      await writeFile(join(dir, "tidings.pid"), String(process.ppid));
      await expect(lockDataDir(dir)).rejects.toThrow(DataDirInUseError);
      await writeFile(join(dir, "tidings.pid"), "999999999");
      const release = await lockDataDir(dir);
      expect(await readFile(join(dir, "tidings.pid"), "utf8")).toBe(String(process.pid));
      await release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
