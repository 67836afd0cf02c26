import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { openDatabase } from "@tidings/db";
import { loadConfig } from "@tidings/records";
import { SOURCE_EXEC_ARGV, withPostgres } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { loadChart, type Manifest, ROOT, renderChart, type Values } from "./chart.ts";
import { CLUSTERED, COMPONENTS, CONNECTED } from "./fixtures.ts";
import {
  type ConfigMap,
  containerEnv,
  hookOf,
  type Job,
  ofKind,
  renderedSecrets,
  type Secret,
} from "./kube.ts";
import { startedEnv, USER_SECRETS } from "./pod-env.ts";

const chart = loadChart();

function rendered(values: Values) {
  const { manifests } = renderChart(chart, values);
  const jobs = ofKind<Job>(manifests, "Job");
  return { manifests, job: jobs[0], jobs };
}

/** The Job's only container and its environment, from the Secrets it may read. */
function jobEnv(manifests: Manifest[], job: Job) {
  const [container, ...others] = job.spec.template.spec.containers;
  if (!container || others.length > 0) throw new Error("the Job has one container");
  return {
    container,
    env: containerEnv(manifests, container, { ...USER_SECRETS, ...renderedSecrets(manifests) }),
  };
}

describe("the migration Job", () => {
  it("is a pre-install,pre-upgrade hook that runs the migrate entry point and exits", () => {
    const { manifests, job, jobs } = rendered(CONNECTED);
    expect(jobs).toHaveLength(1);
    expect(hookOf(job as Job)).toEqual({
      events: ["pre-install", "pre-upgrade"],
      weight: -5,
      deletePolicies: ["before-hook-creation", "hook-succeeded"],
    });
    const { container } = jobEnv(manifests, job as Job);
    // The image's entrypoint is node; dist/migrate.js is what `npm run build` makes of src/migrate.ts.
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(["services/records/dist/migrate.js"]);
    expect(existsSync(new URL("services/records/src/migrate.ts", ROOT))).toBe(true);
    const manifest = JSON.parse(
      readFileSync(new URL("services/records/package.json", ROOT), "utf8"),
    );
    expect(manifest.scripts.migrate).toContain("src/migrate.ts");
    const pod = job?.spec.template.spec;
    expect(pod?.restartPolicy).toBe("Never");
    expect(pod?.automountServiceAccountToken).toBe(false);
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  it("takes its retries, deadline and pod settings from values", () => {
    const { job } = rendered({
      ...CONNECTED,
      migrations: { backoffLimit: 3, activeDeadlineSeconds: 900, podLabels: { team: "db" } },
    });
    expect(job?.spec.backoffLimit).toBe(3);
    expect(job?.spec.activeDeadlineSeconds).toBe(900);
    expect(job?.spec.template.metadata.labels.team).toBe("db");
  });

  it("reads nothing the release creates outside its hooks: they do not exist yet on an install", () => {
    for (const values of [
      CONNECTED,
      CLUSTERED,
      { existingSecret: "tidings-credentials" },
      {
        ...CONNECTED,
        migrations: { existingSecret: "tidings-db-owner", existingSecretKey: "uri" },
      },
    ]) {
      const { manifests, job } = rendered(values);
      const hooks = manifests.filter((m) => hookOf(m)?.events.includes("pre-install"));
      const ordinary = manifests
        .filter((m) => !hookOf(m))
        .map((m) => `${m.kind}/${m.metadata.name}`);
      const container = jobEnv(manifests, job as Job).container;
      for (const entry of container.env ?? []) {
        const ref = entry.valueFrom?.secretKeyRef;
        if (!ref) continue;
        expect(ordinary, entry.name).not.toContain(`Secret/${ref.name}`);
        const hook = hooks.find((m) => m.kind === "Secret" && m.metadata.name === ref.name);
        // Its own Secret comes first (a lower weight); any other is the user's.
        if (hook) expect(hookOf(hook)?.weight).toBeLessThan(hookOf(job as Job)?.weight ?? 0);
        else expect(Object.keys(USER_SECRETS), entry.name).toContain(ref.name);
        if (hook) expect(hookOf(hook)?.deletePolicies).toContain("hook-succeeded");
      }
      expect(container.envFrom ?? []).toEqual([]);
    }
  });

  it("migrates with the schema owner's URL, which no service and no ordinary object holds", () => {
    const { manifests, job } = rendered(CLUSTERED);
    const { env } = jobEnv(manifests, job as Job);
    expect(env.TIDINGS_DATABASE_URL).toBe((CLUSTERED.migrations as Values).databaseUrl);
    expect(env.TIDINGS_DATABASE_DIRECT_URL).toBeUndefined();
    const ordinary = manifests.filter((m) => !hookOf(m));
    expect(JSON.stringify(ordinary)).not.toContain("owner-pw");
    for (const component of COMPONENTS)
      expect(Object.values(startedEnv(manifests, component).env)).not.toContain(
        env.TIDINGS_DATABASE_URL,
      );
  });

  it("without a URL of its own, migrates with the services' (direct) URL", () => {
    const direct = "postgres://tidings:pw@postgres.data:5432/tidings";
    const pooled = {
      ...CONNECTED,
      postgresql: { url: "postgres://tidings:pw@pgbouncer:6432/tidings", directUrl: direct },
    };
    const { manifests, job } = rendered(pooled);
    expect(jobEnv(manifests, job as Job).env).toMatchObject({
      TIDINGS_DATABASE_DIRECT_URL: direct,
    });
    const fromSecret = rendered({ existingSecret: "tidings-credentials" });
    expect(ofKind<Secret>(fromSecret.manifests, "Secret")).toEqual([]);
    expect(jobEnv(fromSecret.manifests, fromSecret.job as Job).env.TIDINGS_DATABASE_URL).toBe(
      USER_SECRETS["tidings-credentials"]?.TIDINGS_DATABASE_URL,
    );
    const operator = rendered({
      ...CONNECTED,
      migrations: { existingSecret: "tidings-db-owner", existingSecretKey: "uri" },
    });
    expect(jobEnv(operator.manifests, operator.job as Job).env.TIDINGS_DATABASE_URL).toBe(
      USER_SECRETS["tidings-db-owner"]?.uri,
    );
  });

  it("leaves the records service without DDL: TIDINGS_DATABASE_MIGRATE=false, unless turned off", () => {
    const migrate = (values: Values) => {
      const config = loadConfig(startedEnv(renderChart(chart, values).manifests, "records").env);
      return "url" in config.database ? config.database.migrate : undefined;
    };
    expect(migrate(CONNECTED)).toBe(false);
    const off = { ...CONNECTED, migrations: { enabled: false } };
    expect(rendered(off).jobs).toEqual([]);
    expect(
      ofKind<Secret>(renderChart(chart, off).manifests, "Secret").map((s) => s.metadata.name),
    ).toEqual(["demo-tidings"]);
    expect(migrate(off)).toBe(true);
    const records = ofKind<ConfigMap>(renderChart(chart, CONNECTED).manifests, "ConfigMap");
    expect(records.map((m) => m.data?.TIDINGS_DATABASE_MIGRATE).filter(Boolean)).toEqual(["false"]);
  });

  it("runs under an existing ServiceAccount only: the chart's does not exist before the hook", () => {
    const account = (values: Values) =>
      rendered({ ...CONNECTED, ...values }).job?.spec.template.spec.serviceAccountName;
    expect(account({})).toBeUndefined();
    expect(account({ serviceAccount: { create: false, name: "tidings-db" } })).toBe("tidings-db");
    expect(account({ migrations: { serviceAccountName: "migrator" } })).toBe("migrator");
  });

  it("applies the migrations with its own command and environment, once", async () => {
    await using pg = await withPostgres();
    const { manifests, job } = rendered({ ...CONNECTED, migrations: { databaseUrl: pg.url } });
    const { container, env } = jobEnv(manifests, job as Job);
    // Nothing yet: a service that only checks the schema refuses to open.
    await expect(openDatabase({ url: pg.url, poolSize: 1, migrate: false })).rejects.toThrow();
    const entry = fileURLToPath(
      new URL((container.args?.[0] ?? "").replace("/dist/", "/src/").replace(/\.js$/, ".ts"), ROOT),
    );
    const run = () =>
      promisify(execFile)(process.execPath, [...SOURCE_EXEC_ARGV, entry], {
        cwd: fileURLToPath(ROOT),
        env: { PATH: process.env.PATH, ...env },
      });
    const first = await run();
    expect(first.stdout).toMatch(/applied \d+ migration/);
    const db = await openDatabase({ url: pg.url, poolSize: 1, migrate: false });
    await db.close();
    expect((await run()).stdout).toContain("nothing to apply");
  });
});
