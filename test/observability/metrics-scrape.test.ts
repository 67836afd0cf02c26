import type { LocalCluster } from "@tidings/local-cluster";
import { eventually, freePort } from "@tidings/testing";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { openCollection } from "../support/collections.ts";
import { type ProcessCluster, startProcessCluster } from "../support/process-cluster.ts";
import { type Scrape, scrape } from "../support/prometheus-scrape.ts";
import { callApi, createCollection, signIn } from "../support/rest.ts";
import { request } from "../support/socket-calls.ts";

const SUPERUSER = { email: "metrics@example.com", password: "metrics-test-password" };
const WRITES = 7;
const CLIENTS = 3;
const MESSAGES_PER_MINUTE = 4;

async function connect(url: string): Promise<Socket> {
  const socket = io(url, { transports: ["websocket"], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

/** Stops reading from the client's TCP socket, as a client stuck on a slow network would. */
function stopReading(socket: Socket): void {
  const ws = (socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }).ws;
  ws._socket.pause();
}

describe("/metrics of each service after a known workload", () => {
  let processes: ProcessCluster;
  let cluster: LocalCluster;
  const metricsPorts = new Map<string, number>();
  const metrics = (name: string) => scrape(`http://127.0.0.1:${metricsPorts.get(name)}/metrics`);

  beforeAll(async () => {
    processes = await startProcessCluster({
      env: {
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
        TIDINGS_MAX_MESSAGES_PER_MINUTE: String(MESSAGES_PER_MINUTE),
        TIDINGS_SLOW_CONSUMER_BYTES: "65536",
        TIDINGS_PARTITIONS: "4",
      },
      processEnv: async (name) => {
        const port = await freePort();
        metricsPorts.set(name, port);
        return { TIDINGS_METRICS_PORT: String(port) };
      },
    });
    cluster = processes.cluster;
  }, 120_000);

  afterAll(async () => {
    await processes?.[Symbol.asyncDispose]();
  });

  it("counts writes, deliveries, clients, a slow-consumer cut and a rate-limit refusal as they happened", async () => {
    const entry = cluster.entryUrl;
    const gatewayUrl = `http://127.0.0.1:${cluster.service("gateway-1").port}`;
    const superuser = await signIn(entry, "/api/auth/login", SUPERUSER);
    await createCollection(
      entry,
      superuser.token,
      openCollection("notes", [{ name: "n", type: "number" }]),
    );
    await createCollection(
      entry,
      superuser.token,
      openCollection("big", [{ name: "blob", type: "json" }]),
    );

    // One client that stops reading, on a collection of its own: it is cut off once its backlog
    // passes TIDINGS_SLOW_CONSUMER_BYTES.
    const slow = await connect(gatewayUrl);
    onTestFinished(() => {
      slow.close();
    });
    expect((await request(slow, "subscribe", { collection: "big" })).ok).toBe(true);
    stopReading(slow);
    const blob = "x".repeat(200_000);
    let bigWrites = 0;
    for (; bigWrites < 40; bigWrites += 1) {
      if ((await metrics("gateway-1")).total("tidings_gateway_slow_consumer_disconnects_total") > 0)
        break;
      const answer = await callApi(entry, "POST", "/api/collections/big/records", {
        body: { blob },
      });
      expect(answer.status).toBe(201);
    }
    await eventually(async () => {
      expect(
        (await metrics("gateway-1")).total("tidings_gateway_slow_consumer_disconnects_total"),
      ).toBe(1);
    }, 15_000);
    slow.close();
    const before = await metrics("gateway-1");

    // M clients on `notes` (one subscription group), then N writes.
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(gatewayUrl)));
    onTestFinished(() => {
      for (const client of clients) client.close();
    });
    const received = new Array<number>(CLIENTS).fill(0);
    for (const [i, client] of clients.entries()) {
      client.on("change", () => (received[i] = (received[i] ?? 0) + 1));
      expect((await request(client, "subscribe", { collection: "notes" })).ok).toBe(true);
    }
    for (let n = 0; n < WRITES; n += 1) {
      const answer = await callApi(entry, "POST", "/api/collections/notes/records", {
        body: { n },
      });
      expect(answer.status).toBe(201);
    }
    await eventually(() => expect(received).toEqual(new Array(CLIENTS).fill(WRITES)), 15_000);

    // One client goes over its message rate: the first message past the limit is refused.
    const chatty = clients[0] as Socket;
    const answers = [];
    for (let i = 1; i < MESSAGES_PER_MINUTE; i += 1)
      answers.push(await request(chatty, "unsubscribe", { id: `none-${i}` }));
    expect(answers.filter((answer) => !answer.ok && answer.error.code === "RATE_LIMITED")).toEqual(
      [],
    );
    const refused = await request(chatty, "unsubscribe", { id: "one-too-many" });
    expect(refused.ok ? "" : refused.error.code).toBe("RATE_LIMITED");

    const writes = WRITES + bigWrites;
    let records: Scrape | undefined;
    let evaluator: Scrape | undefined;
    await eventually(async () => {
      records = await metrics("records-1");
      evaluator = await metrics("evaluator-1");
      expect(records.total("tidings_relay_published_total")).toBe(writes);
      expect(records.total("tidings_outbox_backlog")).toBe(0);
      expect(evaluator.total("tidings_evaluator_events_total")).toBe(writes);
      expect(evaluator.total("tidings_evaluator_pending")).toBe(0);
    }, 15_000);
    const gateway = await metrics("gateway-1");
    const r = records as Scrape;
    const e = evaluator as Scrape;

    // records: every write answered 201 on its route, and published once.
    expect(
      r.total("http_server_request_duration", {
        http_request_method: "POST",
        http_route: "/api/collections/:collection/records",
        http_response_status_code: "201",
      }),
    ).toBe(writes);
    expect(r.total("tidings_relay_publish_duration")).toBeGreaterThan(0);
    expect(r.total("tidings_outbox_oldest_age")).toBe(0);
    // evaluator: it holds every partition, judged every event, parked none.
    expect(e.total("tidings_evaluator_partition_held")).toBe(4);
    expect(e.total("tidings_evaluator_batch_duration")).toBeGreaterThan(0);
    expect(e.total("tidings_evaluator_match_duration")).toBe(writes);
    expect(e.total("tidings_evaluator_dead_letters_total")).toBe(0);
    // gateway: the N writes reached M sockets each, one room packet per write.
    const delta = (name: string, labels?: Record<string, string>) =>
      gateway.total(name, labels) - before.total(name, labels);
    expect(delta("tidings_gateway_deliveries_total", { tidings_transport: "socket.io" })).toBe(
      WRITES * CLIENTS,
    );
    expect(delta("tidings_gateway_delivery_latency")).toBe(WRITES);
    expect(gateway.total("tidings_gateway_connections", { tidings_transport: "socket.io" })).toBe(
      CLIENTS,
    );
    expect(gateway.total("tidings_gateway_subscriptions", { tidings_transport: "socket.io" })).toBe(
      CLIENTS,
    );
    expect(gateway.total("tidings_gateway_subscription_groups")).toBe(1);
    expect(gateway.total("tidings_gateway_slow_consumer_disconnects_total")).toBe(1);
    expect(
      gateway.total("tidings_limit_refusals_total", { tidings_limit: "socket_messages" }),
    ).toBe(1);
  }, 120_000);
});
