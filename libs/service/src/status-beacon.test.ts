import { hostname } from "node:os";
import { type Bus, createMemoryBus } from "@tidings/bus";
import { eventually } from "@tidings/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newProcessId, startStatusBeacon } from "./status-beacon.ts";
import { decodeStatusNotice, encodeNotice, STATUS_TOPIC } from "./status-notices.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe("status beacon", () => {
  let bus: Bus;
  let heard: unknown[];

  beforeEach(async () => {
    bus = createMemoryBus();
    await bus.start();
    heard = [];
    bus.onNotice(STATUS_TOPIC, (data) => heard.push(decodeStatusNotice(data)));
  });
  afterEach(() => bus.stop());

  it("beacon - announces at once and then every interval, and says goodbye when stopped", async () => {
    const id = newProcessId("gateway");
    expect(id).toMatch(/^gateway-[0-9a-f]{8}$/);
    let connections = 1;
    const beacon = startStatusBeacon(
      bus,
      () => ({
        service: "gateway",
        connections: { "socket.io": connections++ },
        subscriptions: {},
      }),
      { id, intervalMs: 40, logger: silent },
    );
    await eventually(() => expect(heard.length).toBeGreaterThanOrEqual(3));
    beacon.stop();
    await eventually(() => expect(heard.at(-1)).toEqual({ v: 1, type: "goodbye", id }));
    const beats = heard.slice(0, -1) as Array<Record<string, unknown>>;
    expect(beats[0]).toEqual({
      v: 1,
      type: "status",
      id,
      service: "gateway",
      host: hostname(),
      pid: process.pid,
      startedAt: expect.any(String),
      intervalMs: 40,
      connections: { "socket.io": 1 },
      subscriptions: {},
    });
    expect(beats.map((beat) => (beat.connections as Record<string, number>)["socket.io"])).toEqual(
      beats.map((_, index) => index + 1),
    );
    const count = heard.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard).toHaveLength(count);
  });

  it("beacon - a status read that fails skips that beat only", async () => {
    let reads = 0;
    const warnings: string[] = [];
    const beacon = startStatusBeacon(
      bus,
      () => {
        if (++reads === 1) throw new Error("consumer state unreadable");
        return { service: "records" };
      },
      { id: "records-1", intervalMs: 20, logger: { ...silent, warn: (_, m) => warnings.push(m!) } },
    );
    await eventually(() => expect(heard.length).toBeGreaterThanOrEqual(1));
    beacon.stop();
    expect(warnings).toEqual(["status heartbeat skipped"]);
    expect(heard[0]).toMatchObject({ type: "status", id: "records-1", service: "records" });
  });

  it("notices - anything malformed decodes to undefined, never throws", () => {
    const valid = {
      v: 1,
      type: "status",
      id: "evaluator-1",
      service: "evaluator",
      host: "h",
      pid: 1,
      startedAt: new Date().toISOString(),
      intervalMs: 2000,
      partitions: [{ partition: 0, pending: 3, ackPending: null }],
    };
    expect(decodeStatusNotice(encodeNotice(valid))).toEqual(valid);
    const broken = [
      new TextEncoder().encode("{not json"),
      encodeNotice(null),
      encodeNotice({ ...valid, v: 2 }),
      encodeNotice({ ...valid, service: "proxy" }),
      encodeNotice({ ...valid, pid: -1 }),
      encodeNotice({ ...valid, id: "has space" }),
      encodeNotice({ ...valid, startedAt: "yesterday" }),
      encodeNotice({ ...valid, partitions: [{ partition: 0, pending: "3", ackPending: 0 }] }),
      encodeNotice({ ...valid, service: "gateway" }),
      encodeNotice({ v: 1, type: "goodbye" }),
    ];
    for (const data of broken) expect(decodeStatusNotice(data)).toBeUndefined();
  });
});
