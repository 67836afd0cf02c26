import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BusConfigError } from "@tidings/bus";
import {
  createNkeyUser,
  createOperatorAuth,
  createTlsFiles,
  startNatsServer,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busEnv, busSettingsFrom, createBus } from "./bus-settings.ts";
import { ConfigError, parseEnv } from "./env-config.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const settings = (env: Record<string, string>) => busSettingsFrom(parseEnv(busEnv, env).values);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tidings-bus-settings-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("bus settings", () => {
  it("reads the credential and TLS files at start; a missing one is a ConfigError naming its variable", async () => {
    const seed = join(dir, "user.nk");
    await writeFile(seed, createNkeyUser().seed);
    const read = settings({
      TIDINGS_NATS_URL: "nats://nats:4222",
      TIDINGS_NATS_NKEY_SEED_FILE: seed,
      TIDINGS_NATS_REPLICAS: "3",
    });
    expect(read.replicas).toBe(3);
    expect(new TextDecoder().decode(read.security.nkeySeed)).toMatch(/^SU/);
    expect(read.security.tls).toBeUndefined();
    expect(settings({ TIDINGS_NATS_URL: "nats://nats:4222" })).toMatchObject({
      replicas: 1,
      security: {},
    });

    const missing = join(dir, "nowhere.pem");
    const refused = () =>
      settings({
        TIDINGS_NATS_URL: "tls://nats:4222",
        TIDINGS_NATS_TLS_CA_FILE: missing,
        TIDINGS_NATS_TLS_CERT_FILE: missing,
        TIDINGS_NATS_CREDS_FILE: seed,
        TIDINGS_NATS_NKEY_SEED_FILE: seed,
      });
    expect(refused).toThrow(ConfigError);
    expect(refused).toThrow(`TIDINGS_NATS_TLS_CA_FILE: cannot read ${missing} (ENOENT)`);
    expect(refused).toThrow(`TIDINGS_NATS_TLS_CERT_FILE: cannot read ${missing} (ENOENT)`);
    expect(refused).toThrow("TIDINGS_NATS_TLS_CERT_FILE and TIDINGS_NATS_TLS_KEY_FILE: set both");
    expect(refused).toThrow("TIDINGS_NATS_NKEY_SEED_FILE: set it or TIDINGS_NATS_CREDS_FILE");
    expect(() => settings({ TIDINGS_NATS_CREDS_FILE: seed })).toThrow(
      "TIDINGS_NATS_CREDS_FILE: only used with TIDINGS_NATS_URL",
    );
    expect(() => settings({ TIDINGS_NATS_REPLICAS: "7" })).toThrow(/TIDINGS_NATS_REPLICAS/);
  });

  it("connects to a server that requires mutual TLS and an nkey user, from the variables alone", async () => {
    await using tls = await createTlsFiles();
    const user = createNkeyUser();
    await using server = await startNatsServer({
      config: `tls {
  cert_file: "${tls.serverCertFile}"
  key_file: "${tls.serverKeyFile}"
  ca_file: "${tls.caFile}"
  verify: true
}
authorization { users = [ { nkey: ${user.publicKey} } ] }`,
    });
    const seed = join(dir, "service.nk");
    await writeFile(seed, user.seed);
    const env = {
      TIDINGS_NATS_URL: server.url,
      TIDINGS_NATS_PREFIX: "secured",
      TIDINGS_NATS_NKEY_SEED_FILE: seed,
      TIDINGS_NATS_TLS_CA_FILE: tls.caFile,
      TIDINGS_NATS_TLS_CERT_FILE: tls.clientCertFile,
      TIDINGS_NATS_TLS_KEY_FILE: tls.clientKeyFile,
    };
    const bus = createBus(settings(env), silent);
    await bus.start();
    try {
      const subject = bus.subjects.eventFor("posts");
      const ack = await bus.publish(subject, new TextEncoder().encode("hello"));
      const [stored] = await bus.read(subject, ack.seq);
      expect(stored && new TextDecoder().decode(stored.data)).toBe("hello");
    } finally {
      await bus.stop();
    }
    // The replicas setting reaches the streams: a single server refuses three.
    const three = createBus(
      settings({ ...env, TIDINGS_NATS_PREFIX: "three", TIDINGS_NATS_REPLICAS: "3" }),
      silent,
    );
    await expect(three.start()).rejects.toThrow(BusConfigError);
  });

  it("connects with a .creds file", async () => {
    const auth = createOperatorAuth();
    await using server = await startNatsServer({ config: auth.serverConfig });
    const creds = join(dir, "service.creds");
    await writeFile(creds, auth.creds);
    const bus = createBus(
      settings({ TIDINGS_NATS_URL: server.url, TIDINGS_NATS_CREDS_FILE: creds }),
      silent,
    );
    await bus.start();
    await bus.stop();
  });
});
