import { createClient, type TidingsClient } from "@tidings/client";
import {
  type Delivery,
  type DocState,
  expectedDeliveries,
  type Viewer,
  type Write,
} from "./oracle.ts";
import { type Answer, callApi } from "./rest.ts";

/** The workload's collection: its list rule is what oracle.ts re-implements. */
export const DOCS_COLLECTION = {
  name: "docs",
  fields: [
    { name: "title", type: "text" },
    { name: "owner", type: "relation", collection: "users" },
    { name: "public", type: "bool" },
    { name: "rev", type: "number" },
    { name: "secret", type: "text", hidden: true },
  ],
  listRule: "public = true || owner = @request.auth.id",
  viewRule: "public = true || owner = @request.auth.id",
  createRule: "owner = @request.auth.id",
  updateRule: "owner = @request.auth.id",
  deleteRule: "owner = @request.auth.id",
};

/** A user of the workload. */
export interface WorkloadUser {
  id: string;
  token: string;
}

/** Where requests go: a base URL per call (spread over records replicas or one entry). */
export interface WorkloadTargets {
  /** Base URL of the REST API for the n-th request. */
  rest(n: number): string;
  /** Base URL a subscriber connects to. */
  realtime(n: number): string;
}

/** A subscriber and everything it received. */
export interface Watcher {
  viewer: Viewer;
  client: TidingsClient;
  /** Per record id, the deliveries in arrival order. */
  received: Map<string, Delivery[]>;
  /** Records of received changes that carried the hidden field (must stay empty). */
  leaks: unknown[];
  resyncs: number;
}

const TITLES = ["alpha", "bravo", "charlie", "delta", "echo", "golf", "kilo", "oscar"];

function pickOne<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A small seeded generator, so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

/** Connects a subscriber to `docs` and records what it receives. */
export async function watch(
  url: string,
  viewer: Viewer,
  token: string | undefined,
): Promise<Watcher> {
  // WebSocket only: one connection per client, so the load balancer needs no stickiness for it.
  const client = createClient(url, {
    ...(token ? { token } : {}),
    socket: { transports: ["websocket"] },
  });
  const watcher: Watcher = { viewer, client, received: new Map(), leaks: [], resyncs: 0 };
  await client.collection("docs").subscribe(
    "*",
    (change) => {
      const record = change.record as Record<string, unknown>;
      if ("secret" in record) watcher.leaks.push(record);
      const delivery: Delivery =
        change.action === "left" ? "left:-" : `${change.action}:${record.rev as number}`;
      const list = watcher.received.get(record.id as string) ?? [];
      list.push(delivery);
      watcher.received.set(record.id as string, list);
    },
    {
      ...(viewer.filtered ? { filter: "title ~ 'a'" } : {}),
      onResync: () => (watcher.resyncs += 1),
    },
  );
  return watcher;
}

function stateOf(record: Record<string, unknown>): DocState {
  return {
    id: record.id as string,
    owner: record.owner as string,
    public: record.public as boolean,
    title: record.title as string,
    rev: record.rev as number,
  };
}

/**
 * Writes to the `docs` collection: each record is written by one owner, one write at a time (so
 * commit order per record is the order here), spread over the REST targets. A write whose answer
 * was lost (a replica killed mid-write) is resolved by reading the record back: committed or not.
 */
export class Writer {
  readonly writes = new Map<string, Write[]>();
  readonly #targets: WorkloadTargets;
  readonly #random: () => number;
  readonly #reader: WorkloadUser;
  #requests = 0;
  /** Writes whose outcome was unknown at first (their answer was lost). */
  uncertain = 0;

  constructor(targets: WorkloadTargets, reader: WorkloadUser, seed: number) {
    this.#targets = targets;
    this.#reader = reader;
    this.#random = seededRandom(seed);
  }

  async #send(
    method: string,
    path: string,
    user: WorkloadUser,
    body?: unknown,
  ): Promise<Answer | undefined> {
    let answer: Answer | undefined;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        answer = await callApi(this.#targets.rest(this.#requests++), method, path, {
          token: user.token,
          body,
        });
      } catch {
        // The replica answering died: the write may or may not have committed.
        return undefined;
      }
      // A 5xx is a clean refusal (nothing was written): worth another try a moment later.
      if (answer.status < 500) return answer;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return answer;
  }

  // The stored state (as the superuser sees it), or null when the record does not exist.
  async #read(id: string): Promise<DocState | null> {
    for (;;) {
      try {
        const answer = await callApi(
          this.#targets.rest(this.#requests++),
          "GET",
          `/api/collections/docs/records/${id}`,
          { token: this.#reader.token },
        );
        if (answer.status === 404) return null;
        if (answer.status === 200) return stateOf(answer.body);
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  #record(id: string, write: Write): void {
    const history = this.writes.get(id) ?? [];
    history.push(write);
    this.writes.set(id, history);
  }

  /** A record's life: create, updates toggling visibility and title, and (if `ends`) delete. */
  async life(owner: WorkloadUser, id: string, rounds: number, ends: boolean): Promise<void> {
    let current: DocState | null = null;
    for (let round = 0; round <= rounds; round += 1) {
      const rev = round + 1;
      const action: Write["action"] =
        round === 0 ? "created" : round === rounds && ends ? "deleted" : "updated";
      const next: DocState | null =
        action === "deleted"
          ? null
          : {
              id,
              owner: owner.id,
              public: this.#random() < 0.5,
              title: pickOne(TITLES, this.#random),
              rev,
            };
      const path =
        action === "created"
          ? "/api/collections/docs/records"
          : `/api/collections/docs/records/${id}`;
      const body = next
        ? {
            ...(action === "created" ? { id } : {}),
            owner: next.owner,
            public: next.public,
            title: next.title,
            rev,
            secret: "s",
          }
        : undefined;
      const answer = await this.#send(
        action === "created" ? "POST" : action === "deleted" ? "DELETE" : "PATCH",
        path,
        owner,
        body,
      );
      let committed: boolean;
      if (answer) committed = answer.status < 300;
      else {
        this.uncertain += 1;
        const stored = await this.#read(id);
        committed = action === "deleted" ? stored === null : stored?.rev === rev;
      }
      if (!committed) return;
      this.#record(id, { action, before: current, after: next });
      current = next;
    }
  }
}

/** Compares what every watcher received with what it must receive; returns readable problems. */
export function checkInvariants(watchers: Watcher[], writes: Map<string, Write[]>): string[] {
  const problems: string[] = [];
  for (const [index, watcher] of watchers.entries()) {
    const label = `watcher ${index} (${watcher.viewer.userId ?? "anonymous"}${watcher.viewer.filtered ? ", filtered" : ""})`;
    if (watcher.leaks.length > 0)
      problems.push(`${label}: received the hidden field ${watcher.leaks.length} times`);
    const expected = expectedDeliveries(watcher.viewer, writes);
    for (const id of new Set([...expected.keys(), ...watcher.received.keys()])) {
      const want = (expected.get(id) ?? []).join(" ");
      const got = (watcher.received.get(id) ?? []).join(" ");
      if (want !== got) problems.push(`${label}, record ${id}: expected [${want}] got [${got}]`);
    }
  }
  return problems;
}

/** Total deliveries expected by all watchers (to wait for quiescence). */
export function expectedCount(watchers: Watcher[], writes: Map<string, Write[]>): number {
  let total = 0;
  for (const watcher of watchers)
    for (const list of expectedDeliveries(watcher.viewer, writes).values()) total += list.length;
  return total;
}

/** Deliveries received by all watchers so far. */
export function receivedCount(watchers: Watcher[]): number {
  let total = 0;
  for (const watcher of watchers)
    for (const list of watcher.received.values()) total += list.length;
  return total;
}

/** Runs lives of `records` records spread over the owners, `concurrency` at a time; half end deleted. */
export async function runWrites(
  writer: Writer,
  owners: WorkloadUser[],
  records: number,
  rounds: number,
  concurrency: number,
  idPrefix: string,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < records) {
        const n = next++;
        await writer.life(
          owners[n % owners.length] as WorkloadUser,
          `${idPrefix}${n}`,
          rounds,
          n % 2 === 0,
        );
      }
    }),
  );
}

/** The record ids a watcher's deliveries leave it showing (last delivery neither deleted nor left). */
export function shownIds(watcher: Watcher): string[] {
  const shown: string[] = [];
  for (const [id, deliveries] of watcher.received) {
    const last = deliveries.at(-1) ?? "";
    if (!last.startsWith("deleted") && !last.startsWith("left")) shown.push(id);
  }
  return shown.sort();
}

/** The record ids the same viewer can list through the REST API right now. */
export async function listedIds(
  base: string,
  watcher: Watcher,
  token: string | undefined,
): Promise<string[]> {
  const filter = watcher.viewer.filtered ? `&filter=${encodeURIComponent("title ~ 'a'")}` : "";
  const response = await fetch(
    `${base}/api/collections/docs/records?perPage=1000&skipTotal=1${filter}`,
    {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    },
  );
  const body = (await response.json()) as { items: { id: string }[] };
  return body.items.map((item) => item.id).sort();
}
