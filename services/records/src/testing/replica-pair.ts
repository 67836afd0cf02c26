import { type Bus, createMemoryBus, MemoryBroker } from "@tidings/bus";
import { createSharedCaches, followChanges } from "@tidings/collections";
import { openTestDatabase, type TestDatabase } from "@tidings/db/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll } from "vitest";
import { buildApp } from "../app.ts";
import {
  type RecordsHarness,
  recordsHarness,
  TEST_APP_OPTIONS,
  testPasswordHash,
} from "./records-harness.ts";

/**
 * Registers hooks that give the file two replicas of the records service on one PostgreSQL
 * database and one in-process bus, each with caches of its own, as two processes of a cluster
 * have. Call the returned function inside a test for their harnesses.
 */
export function useReplicaPair(prefix: string): () => { a: RecordsHarness; b: RecordsHarness } {
  let db: TestDatabase;
  const apps: FastifyInstance[] = [];
  const buses: Bus[] = [];
  let pair: { a: RecordsHarness; b: RecordsHarness };

  beforeAll(async () => {
    db = await openTestDatabase("postgres");
    const broker = new MemoryBroker();
    const replica = async () => {
      const bus = createMemoryBus({ prefix }, { broker });
      await bus.start();
      buses.push(bus);
      const caches = createSharedCaches(db);
      followChanges(caches, bus);
      const app = await buildApp(TEST_APP_OPTIONS, { db, caches });
      apps.push(app);
      return recordsHarness(app, db, TEST_APP_OPTIONS, await testPasswordHash());
    };
    pair = { a: await replica(), b: await replica() };
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const bus of buses) await bus.stop();
    await db?.close();
  });
  return () => pair;
}
