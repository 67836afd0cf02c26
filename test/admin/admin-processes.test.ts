import type { LocalCluster } from "@tidings/local-cluster";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCollection } from "../support/collections.ts";
import { type ProcessCluster, startProcessCluster } from "../support/process-cluster.ts";
import { callApi, createCollection, signIn } from "../support/rest.ts";
import { eventually, request } from "../support/socket-calls.ts";

const SUPERUSER = { email: "admin@example.com", password: "admin processes test password" };

type Process = { id: string; service: string; pid: number };

/** records, evaluator and gateway as separate processes over NATS, Redis and PostgreSQL. */
describe("admin API across separate processes", () => {
  let processes: ProcessCluster;
  let cluster: LocalCluster;
  let records: string;
  let admin: string;
  let socket: Socket;

  const clusterView = async () =>
    (await callApi(records, "GET", "/api/admin/cluster", { token: admin })).body;
  const pid = (name: string) => cluster.service(name).child.pid;

  beforeAll(async () => {
    processes = await startProcessCluster({
      env: {
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
        TIDINGS_PARTITIONS: "4",
      },
    });
    cluster = processes.cluster;
    records = `http://127.0.0.1:${cluster.service("records-1").port}`;
    admin = (await signIn(records, "/api/auth/login", SUPERUSER)).token;
    await createCollection(
      records,
      admin,
      openCollection("notes", [{ name: "n", type: "number" }]),
    );
    socket = io(`http://127.0.0.1:${cluster.service("gateway-1").port}`, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    expect((await request(socket, "subscribe", { collection: "notes" })).ok).toBe(true);
  }, 120_000);

  afterAll(async () => {
    socket?.close();
    await processes?.[Symbol.asyncDispose]();
  });

  it("cluster and clients - each process reports itself over the bus; a gateway answers for its clients", async () => {
    let gatewayId = "";
    await eventually(async () => {
      const view = await clusterView();
      expect(view.processes.map(({ service, pid }: Process) => [service, pid]).sort()).toEqual(
        [
          ["evaluator", pid("evaluator-1")],
          ["gateway", pid("gateway-1")],
          ["records", pid("records-1")],
        ].sort(),
      );
      expect(view.gateways).toEqual([
        {
          id: expect.stringMatching(/^gateway-/),
          connections: { "socket.io": 1 },
          subscriptions: { "socket.io": 1 },
        },
      ]);
      expect(view.evaluators[0].partitions.map((p: { partition: number }) => p.partition)).toEqual([
        0, 1, 2, 3,
      ]);
      expect(view.partitions).toEqual({ total: 4, unheld: [] });
      gatewayId = view.gateways[0].id;
    }, 20_000);

    const { body } = await callApi(records, "GET", "/api/admin/clients", { token: admin });
    expect(body.missing).toEqual([]);
    expect(body.gateways).toEqual([
      {
        id: gatewayId,
        clients: [
          expect.objectContaining({
            id: socket.id,
            transport: "socket.io",
            userId: null,
            subscriptions: [{ collection: "notes", recordId: null, filter: null }],
          }),
        ],
        truncated: false,
      },
    ]);
  });

  it("cluster - a gateway that stops says goodbye at once; an evaluator killed is forgotten after its missed beats", async () => {
    const gateway = cluster.service("gateway-1");
    gateway.child.kill("SIGTERM");
    await gateway.exited;
    const stoppedAt = Date.now();
    await eventually(async () => expect((await clusterView()).gateways).toEqual([]));
    // Well within the 7 s a silent process is kept.
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);

    await cluster.kill("evaluator-1");
    const killedAt = Date.now();
    await eventually(async () => {
      const view = await clusterView();
      expect(view.evaluators).toEqual([]);
      expect(view.partitions.unheld).toEqual([0, 1, 2, 3]);
    }, 15_000);
    expect(Date.now() - killedAt).toBeGreaterThan(4_000);
    const services = (await clusterView()).processes.map(({ service }: Process) => service);
    expect(services).toEqual(["records"]);
  }, 30_000);
});
