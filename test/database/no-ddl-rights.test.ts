import { randomBytes } from "node:crypto";
import { createClient } from "@tidings/client";
import { migrateDatabase, openDatabase } from "@tidings/db";
import { connectPgRunner } from "@tidings/db/internal";
import { randomSecret, startLocalCluster } from "@tidings/local-cluster";
import {
  eventually,
  TEST_NATS_URL,
  TEST_REDIS_URL,
  withDmlRole,
  withNats,
  withPostgres,
} from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { openCollection } from "../support/collections.ts";
import { callApi, createCollection, signIn } from "../support/rest.ts";

const SUPERUSER = { email: "no-ddl@example.com", password: "no-ddl-test-password" };

// In the chart only the migration Job may change the schema: the services run as a role that
// reads and writes rows and nothing more.
describe("services without DDL rights", () => {
  it("records (TIDINGS_DATABASE_MIGRATE=false), an evaluator and a gateway start as a role that cannot create a table, and deliver a write", async () => {
    await using pg = await withPostgres();
    await using nats = await withNats();
    // The Job's part, as the owner.
    expect((await migrateDatabase(pg.url)).length).toBeGreaterThan(0);
    await using role = await withDmlRole(pg.url);

    // The role really has no DDL rights, so the rest cannot pass by accident.
    const session = await connectPgRunner(role.url);
    try {
      await expect(session.exec("CREATE TABLE intruder (id int)")).rejects.toThrow(
        /permission denied for schema public/,
      );
      await expect(session.exec("ALTER TABLE records ADD COLUMN intruder int")).rejects.toThrow(
        /must be owner of table records/,
      );
    } finally {
      await session.close();
    }
    // What records did before TIDINGS_DATABASE_MIGRATE: migrate at start, which needs DDL.
    await expect(openDatabase({ url: role.url, poolSize: 1 })).rejects.toThrow(/permission denied/);

    const prefix = `noddl_${randomBytes(4).toString("hex")}`;
    const cluster = await startLocalCluster({
      records: 1,
      evaluators: 1,
      gateways: 1,
      entryPort: 0,
      basePort: 0,
      // Creating the database is the owner's; every service logs in as the role.
      databaseUrl: pg.url,
      processEnv: () => ({ TIDINGS_DATABASE_URL: role.url }),
      natsUrl: TEST_NATS_URL,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: prefix,
      jwtSecret: randomSecret(),
      env: {
        TIDINGS_NATS_PREFIX: nats.prefix,
        TIDINGS_DATABASE_MIGRATE: "false",
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
        TIDINGS_LOG_LEVEL: "warn",
      },
      output: (line) => {
        if (/"level":(50|60)/.test(line)) console.error(line);
      },
    });
    const client = createClient(cluster.entryUrl, { socket: { transports: ["websocket"] } });
    try {
      for (const name of ["records-1", "evaluator-1", "gateway-1"])
        expect(cluster.service(name).env.TIDINGS_DATABASE_URL).toBe(role.url);
      const superuser = await signIn(cluster.entryUrl, "/api/auth/login", SUPERUSER);
      await createCollection(
        cluster.entryUrl,
        superuser.token,
        openCollection("notes", [{ name: "title", type: "text" }]),
      );
      const received: string[] = [];
      await client.collection("notes").subscribe("*", (change) => {
        received.push((change.record as { title: string }).title);
      });
      const written = await callApi(cluster.entryUrl, "POST", "/api/collections/notes/records", {
        body: { title: "written without DDL" },
      });
      expect(written.status).toBe(201);
      await eventually(() => expect(received).toEqual(["written without DDL"]), 20_000);
    } finally {
      client.close();
      await cluster.stop();
    }
  }, 120_000);
});
