import { describe, expect, it } from "vitest";
import { startCluster } from "../support/cluster.ts";
import { eventually } from "../support/socket-calls.ts";
import {
  checkInvariants,
  DOCS_COLLECTION,
  expectedCount,
  listedIds,
  receivedCount,
  runWrites,
  shownIds,
  type Watcher,
  type WorkloadUser,
  Writer,
  watch,
} from "../support/workload.ts";

describe("end-to-end invariants on two nodes", () => {
  it("every client receives exactly what the rules let it see: no leak, no loss, no duplicate, in order", {
    timeout: 90_000,
  }, async () => {
    await using cluster = await startCluster({ nodes: 2 });
    await cluster.collection(DOCS_COLLECTION);
    const users: WorkloadUser[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { token, user } = await cluster.user();
      users.push({ id: user.id, token });
    }
    const watchers: Watcher[] = [];
    let n = 0;
    const url = () => cluster.nodes[n++ % cluster.nodes.length]!.url;
    watchers.push(await watch(url(), { userId: null, filtered: false }, undefined));
    watchers.push(await watch(url(), { userId: null, filtered: true }, undefined));
    for (const user of users) {
      watchers.push(await watch(url(), { userId: user.id, filtered: false }, user.token));
      watchers.push(await watch(url(), { userId: user.id, filtered: true }, user.token));
    }
    const writer = new Writer(
      {
        rest: (i) => cluster.nodes[i % cluster.nodes.length]!.url,
        realtime: (i) => cluster.nodes[i % cluster.nodes.length]!.url,
      },
      { id: cluster.superuser.user.id, token: cluster.superuser.token },
      20261123,
    );
    await runWrites(writer, users, 24, 6, 6, "doc");
    const expected = expectedCount(watchers, writer.writes);
    expect(expected).toBeGreaterThan(100);
    await eventually(
      () => expect(receivedCount(watchers)).toBeGreaterThanOrEqual(expected),
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(checkInvariants(watchers, writer.writes)).toEqual([]);
    expect(watchers.every((watcher) => watcher.resyncs === 0)).toBe(true);
    // What each client shows equals what the same user lists through the REST API.
    for (const watcher of watchers) {
      const token = users.find((user) => user.id === watcher.viewer.userId)?.token;
      expect(shownIds(watcher)).toEqual(await listedIds(cluster.nodes[0]!.url, watcher, token));
    }
    for (const watcher of watchers) watcher.client.close();
  });
});
