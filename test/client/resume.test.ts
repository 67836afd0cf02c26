import {
  type Change,
  type CloseNotice,
  type ConnectionState,
  createClient,
  isResyncRequired,
  type TidingsClient,
  type TidingsError,
} from "@tidings/client";
import { eventually, pause } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { startSwitchProxy } from "../support/switch-proxy.ts";

const title = (change: Change) => (change.record as { title?: string }).title;

describe("reconnection and resume against two live nodes", () => {
  let cluster: Cluster;
  const clients: TidingsClient[] = [];
  const client = (url: string) => {
    const made = createClient(url, {
      socket: { transports: ["websocket"], reconnectionDelay: 50, reconnectionDelayMax: 200 },
    });
    clients.push(made);
    return made;
  };
  const create = async (collection: string, body: unknown, on = 0) => {
    const answer = await cluster.call("POST", `/api/collections/${collection}/records`, {
      body,
      on,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  };
  /** Writes `w0`, `w1`, … until stopped; resolves to the titles written. */
  const keepWriting = (collection: string, on = 0) => {
    const written: string[] = [];
    let writing = true;
    const done = (async () => {
      while (writing) {
        const next = `w${written.length}`;
        await create(collection, { title: next }, on);
        written.push(next);
        await pause(10);
      }
      return written;
    })();
    return {
      written,
      stop: () => {
        writing = false;
        return done;
      },
    };
  };

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 2,
      env: { TIDINGS_RESUME_MAX_BYTES: String(1024 * 1024) },
    });
    const open = { listRule: "", viewRule: "", createRule: "" };
    for (const name of ["feed", "moved", "archive"])
      await cluster.collection({ name, fields: [{ name: "title", type: "text" }], ...open });
  });
  afterAll(async () => {
    for (const made of clients) made.close();
    await cluster?.[Symbol.asyncDispose]();
  });

  it("resume - a dropped connection resumes without loss or duplicate while writes go on", async () => {
    await using proxy = await startSwitchProxy(cluster.nodes[0]!.port);
    const t = client(proxy.url);
    const states: ConnectionState[] = [];
    t.on("state", (state) => states.push(state));
    const changes: Change[] = [];
    const resyncs: TidingsError[] = [];
    await t.collection("feed").subscribe("*", (change) => changes.push(change));
    await t.collection("feed").subscribe("*", () => {}, {
      filter: 'title = "never"',
      onResync: (error) => resyncs.push(error),
    });
    const writer = keepWriting("feed");
    await eventually(() => expect(changes.length).toBeGreaterThan(3));

    proxy.hold();
    proxy.cut();
    await eventually(() => expect(t.state).toBe("connecting"));
    const whileAway = writer.written.length;
    await pause(400);
    expect(writer.written.length).toBeGreaterThan(whileAway);
    proxy.release();
    await eventually(() => expect(t.state).toBe("open"));
    await pause(300);
    const written = await writer.stop();

    await eventually(() => expect(changes.map(title)).toEqual(written));
    const seqs = changes.map((change) => change.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(states).toEqual(["open", "connecting", "open"]);
    // Even before its first change a subscription has a position (the ack's throughSeq): it resumes.
    expect(resyncs).toEqual([]);
  });

  it("resume - a client moved off a node that shuts down continues on another without loss", async () => {
    const leaving = await cluster.addNode();
    await using proxy = await startSwitchProxy(leaving.port);
    const t = client(proxy.url);
    const notices: CloseNotice[] = [];
    t.on("serverDisconnect", (notice) => notices.push(notice));
    const changes: Change[] = [];
    await t.collection("moved").subscribe("*", (change) => changes.push(change));
    const writer = keepWriting("moved", 1);
    await eventually(() => expect(changes.length).toBeGreaterThan(3));

    proxy.target(cluster.nodes[1]!.port);
    await leaving.stop();
    expect(notices).toEqual([{ reason: "server_shutdown", code: "UNAVAILABLE", reconnect: true }]);
    await eventually(() => expect(t.state).toBe("open"));
    await pause(300);
    const written = await writer.stop();

    await eventually(() => expect(changes.map(title)).toEqual(written));
    expect(new Set(changes.map((change) => change.seq)).size).toBe(changes.length);
  });

  it("resume - RESYNC_REQUIRED once the missed changes are gone; live changes go on", async () => {
    await using proxy = await startSwitchProxy(cluster.nodes[0]!.port);
    const t = client(proxy.url);
    const changes: Change[] = [];
    const resyncs: TidingsError[] = [];
    const sub = await t.collection("archive").subscribe("*", (change) => changes.push(change), {
      filter: 'title ~ "keep"',
      onResync: (error) => resyncs.push(error),
    });
    await create("archive", { title: "keep 1" });
    await eventually(() => expect(changes).toHaveLength(1));
    const firstId = sub.id;
    expect(firstId).toBeDefined();

    proxy.hold();
    proxy.cut();
    await eventually(() => expect(t.state).toBe("connecting"));
    // More than TIDINGS_RESUME_MAX_BYTES (1 MiB) of later changes push the missed ones out.
    const big = "x".repeat(95_000);
    for (let i = 0; i < 14; i += 1) await create("archive", { title: `big ${i} ${big}` });
    // Events reach the stream shortly after their writes are acknowledged: once a watcher has the
    // barrier written after them, the stream holds them all and has dropped the missed ones.
    const watcher = client(`http://127.0.0.1:${cluster.nodes[1]!.port}`);
    const seen: string[] = [];
    await watcher.collection("archive").subscribe("*", (change) => {
      const text = title(change);
      if (text) seen.push(text);
    });
    await create("archive", { title: "barrier" });
    await eventually(() => expect(seen).toContain("barrier"));
    proxy.release();

    await eventually(() => expect(resyncs).toHaveLength(1));
    expect(isResyncRequired(resyncs[0])).toBe(true);
    expect(resyncs[0]?.data).toEqual({
      oldestSeq: expect.any(Number),
      lastSeq: expect.any(Number),
    });
    expect(sub.active).toBe(true);
    // The SDK subscribes afresh after the resync; a change is promised only from that
    // subscription's acknowledgement on, which gives it a new id.
    await eventually(() => expect(sub.id).not.toBe(firstId));
    await create("archive", { title: "keep 2" });
    await eventually(() => expect(changes.map(title)).toEqual(["keep 1", "keep 2"]));
  });
});
