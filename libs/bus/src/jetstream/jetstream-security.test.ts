import { readFile } from "node:fs/promises";
import {
  createNkeyUser,
  createOperatorAuth,
  createTlsFiles,
  startNatsServer,
} from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { decode, encode } from "../bus-suite-support.ts";
import type { Bus } from "../types.ts";
import { createJetStreamBus, type JetStreamBusConfig } from "./jetstream-bus.ts";
import type { NatsSecurity } from "./jetstream-connection.ts";
import { natsConnectionSettings } from "./jetstream-connection.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Starts a bus, writes an event and reads it back: the connection works end to end. */
async function roundTrip(servers: string, security?: NatsSecurity): Promise<void> {
  const config: JetStreamBusConfig = {
    servers,
    prefix: "secured",
    partitions: 1,
    ...(security ? { security } : {}),
  };
  const bus: Bus = createJetStreamBus(config);
  await bus.start();
  try {
    const ack = await bus.publish(bus.subjects.eventFor("posts"), encode({ n: 1 }));
    const [stored] = await bus.read(bus.subjects.eventFor("posts"), ack.seq);
    expect(stored && decode(stored.data)).toEqual({ n: 1 });
  } finally {
    await bus.stop();
  }
}

/** A bus that cannot start (refused at connect). */
async function refused(servers: string, security?: NatsSecurity): Promise<unknown> {
  const bus = createJetStreamBus({
    servers,
    prefix: "secured",
    partitions: 1,
    // A TLS handshake the server drops for want of a client certificate is only noticed when the
    // connection attempt times out (20 s by default).
    connection: { timeout: 2_000 },
    ...(security ? { security } : {}),
  });
  return bus.start().then(
    async () => {
      await bus.stop();
      throw new Error("the bus started, though the server should have refused it");
    },
    (error: unknown) => error,
  );
}

describe("natsConnectionSettings", () => {
  it("takes a user and password, or a token, out of the URL as the Go client reads them", () => {
    expect(natsConnectionSettings("nats://svc:p%40ss@nats:4222")).toEqual({
      servers: ["nats://nats:4222"],
      user: "svc",
      pass: "p@ss",
    });
    expect(natsConnectionSettings(["nats://s3cret@a:4222", "nats://b:4222"])).toEqual({
      servers: ["nats://a:4222", "nats://b:4222"],
      token: "s3cret",
    });
    expect(natsConnectionSettings("tls://nats:4222").tls).toEqual({});
    expect(natsConnectionSettings("nats://nats:4222")).toEqual({ servers: ["nats://nats:4222"] });
  });
});

describe("jetstream bus on secured servers", () => {
  it("mutual TLS: connects with the CA and a client certificate, and is refused without them", async () => {
    await using tls = await createTlsFiles();
    await using server = await startNatsServer({
      config: `tls {
  cert_file: "${tls.serverCertFile}"
  key_file: "${tls.serverKeyFile}"
  ca_file: "${tls.caFile}"
  verify: true
}`,
    });
    const [ca, cert, key] = await Promise.all(
      [tls.caFile, tls.clientCertFile, tls.clientKeyFile].map((file) => readFile(file, "utf8")),
    );
    await roundTrip(server.url, { tls: { ca, cert, key } });
    // The server's certificate is not trusted without the CA…
    expect(String(await refused(server.url, { tls: { cert, key } }))).toMatch(
      /certificate|self.signed|unable to (verify|get)/i,
    );
    // …and the server wants the client's (it drops the connection; the client times out).
    expect(await refused(server.url, { tls: { ca } })).toBeInstanceOf(Error);
    // A client that does not ask for TLS gets it all the same (the server requires it), and fails
    // on the untrusted certificate rather than talking in the clear.
    expect(String(await refused(server.url))).toMatch(/certificate/i);
  });

  it("nkey: connects as the user the server lists by public key, and is refused otherwise", async () => {
    const user = createNkeyUser();
    await using server = await startNatsServer({
      config: `authorization { users = [ { nkey: ${user.publicKey} } ] }`,
    });
    await roundTrip(server.url, { nkeySeed: bytes(user.seed) });
    expect(String(await refused(server.url))).toMatch(/authoriz/i);
    expect(String(await refused(server.url, { nkeySeed: bytes(createNkeyUser().seed) }))).toMatch(
      /authoriz/i,
    );
  });

  it("creds file: connects as a user of an operator-mode account, and is refused without it", async () => {
    const auth = createOperatorAuth();
    await using server = await startNatsServer({ config: auth.serverConfig });
    await roundTrip(server.url, { creds: bytes(auth.creds) });
    expect(String(await refused(server.url))).toMatch(/authoriz/i);
  });

  it("user and password, or a token, in the URL", async () => {
    await using withPassword = await startNatsServer({
      config: `authorization { user: svc, password: "p@ss" }`,
    });
    const host = withPassword.url.slice("nats://".length);
    await roundTrip(`nats://svc:p%40ss@${host}`);
    expect(String(await refused(`nats://svc:wrong@${host}`))).toMatch(/authoriz/i);
    await using withToken = await startNatsServer({ config: `authorization { token: s3cret }` });
    await roundTrip(`nats://s3cret@${withToken.url.slice("nats://".length)}`);
    expect(String(await refused(withToken.url))).toMatch(/authoriz/i);
  });
});
