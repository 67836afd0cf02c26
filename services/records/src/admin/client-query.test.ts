import { type Bus, createMemoryBus } from "@tidings/bus";
import {
  CLIENTS_QUERY_TOPIC,
  type ClientsQuery,
  clientsQuerySchema,
  decodeNotice,
  encodeNotice,
} from "@tidings/service";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { queryClients } from "./client-query.ts";

const client = (id: string) => ({
  id,
  transport: "socket.io",
  userId: null,
  connectedAt: new Date(0).toISOString(),
  subscriptions: [{ collection: "posts", recordId: null, filter: "n > 1" }],
});

describe("clients query", () => {
  let bus: Bus;
  const asked: ClientsQuery[] = [];

  /** A gateway that answers every question meant for it with one client. */
  function gateway(id: string, answer: (query: ClientsQuery) => unknown = () => undefined) {
    bus.onNotice(CLIENTS_QUERY_TOPIC, (data) => {
      const query = decodeNotice(clientsQuerySchema, data)!;
      asked.push(query);
      if (query.gateway && query.gateway !== id) return;
      const reply = answer(query) ?? {
        v: 1,
        gateway: id,
        clients: [client(`${id}-c1`)],
        truncated: false,
      };
      bus.notify(query.replyTopic, encodeNotice(reply));
    });
  }

  beforeEach(async () => {
    bus = createMemoryBus();
    await bus.start();
    asked.length = 0;
  });
  afterEach(() => bus.stop());

  it("clients - collects every expected gateway's answer and stops waiting once all are in", async () => {
    gateway("gateway-b");
    gateway("gateway-a");
    gateway("gateway-new");
    const started = Date.now();
    const answer = await queryClients(bus, {
      expected: ["gateway-a", "gateway-b"],
      limit: 5,
      timeoutMs: 5_000,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(answer.missing).toEqual([]);
    expect(answer.gateways.map((g) => g.id)).toContain("gateway-a");
    expect(answer.gateways.find((g) => g.id === "gateway-b")).toEqual({
      id: "gateway-b",
      clients: [client("gateway-b-c1")],
      truncated: false,
    });
    expect(asked[0]).toMatchObject({ v: 1, limit: 5 });
    expect(asked[0]!.replyTopic).toMatch(/^clients-reply-/);
  });

  it("clients - names the gateways that did not answer in time, and ignores malformed answers", async () => {
    gateway("gateway-a", (query) => ({ v: 1, gateway: "gateway-a", clients: "nope", query }));
    gateway("gateway-b");
    const answer = await queryClients(bus, {
      expected: ["gateway-a", "gateway-b", "gateway-gone"],
      limit: 1,
      timeoutMs: 200,
    });
    expect(answer).toEqual({
      gateways: [{ id: "gateway-b", clients: [client("gateway-b-c1")], truncated: false }],
      missing: ["gateway-a", "gateway-gone"],
    });
  });

  it("clients - asks only the named gateway, and asks nothing when no gateway is known", async () => {
    gateway("gateway-a");
    gateway("gateway-b");
    const one = await queryClients(bus, {
      expected: ["gateway-b"],
      gateway: "gateway-b",
      limit: 3,
      timeoutMs: 5_000,
    });
    expect(one.gateways.map((g) => g.id)).toEqual(["gateway-b"]);
    expect(asked.every((query) => query.gateway === "gateway-b")).toBe(true);
    asked.length = 0;
    expect(await queryClients(bus, { expected: [], limit: 3, timeoutMs: 5_000 })).toEqual({
      gateways: [],
      missing: [],
    });
    expect(asked).toEqual([]);
  });
});
