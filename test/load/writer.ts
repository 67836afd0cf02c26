// The writer process: writes through the REST API at a steady rate, each write as the owner of
// its record, and reports every write and how it was answered. W1 (`feed`) mixes creates, updates
// and deletes of the step's own records; W2 (`news`) only creates. It also fills a single node's
// history through the internal publish API (history-fill.ts).
import { seededRandom } from "../support/workload.ts";
import { serve } from "./child-rpc.ts";
import { now } from "./clock.ts";
import { fillHistory } from "./history-fill.ts";
import { send } from "./http-client.ts";
import { LatencyHistogram, type LatencySummary } from "./latency-histogram.ts";
import {
  ABSENT,
  ACTIVE,
  type BenchUser,
  DRAFT,
  type FeedName,
  recordId,
  type Status,
  type WriteEntry,
  type WriteMix,
} from "./workload.ts";

/** What one run of writes is asked to do. */
export interface WriteRun {
  /** REST base URLs, used in turn (the records replicas, a single node, or the baseline). */
  urls: string[];
  feed: FeedName;
  step: number;
  /** Writes per second. */
  rate: number;
  seconds: number;
  /** Owners (and, for `news`, writers) are drawn from the first `users` users. */
  users: number;
  /** `feed` only: shares of creates, updates and deletes. */
  mix: WriteMix;
  /** `feed` only: share of creates and updates that set `status = 'active'`. */
  activeShare: number;
  seed: number;
}

/** What a run did. */
export interface WriteLog {
  writes: WriteEntry[];
  /** When the first write was due, and when the last answer came (clock.ts). */
  startedAt: number;
  endedAt: number;
  /** Writes by kind, as issued (an update or delete with no idle record became a create). */
  kinds: { c: number; u: number; d: number };
  /** Answers other than the expected 2xx, by status ("error" when the request itself failed). */
  failures: Record<string, number>;
  /** How late the writer issued its most delayed write (its own CPU being short). */
  maxLagMs: number;
  /** From each write's due time to its REST answer. */
  answerMs: LatencySummary;
}

let users: BenchUser[] = [];

/** The step's records as the writer knows them; a record is busy while a write to it is out. */
class RecordPool {
  readonly owner: number[] = [];
  readonly status: Status[] = [];
  /** Records that exist, are acknowledged, and have no write in flight. */
  readonly #idle: number[] = [];

  add(owner: number, status: Status): number {
    this.owner.push(owner);
    this.status.push(status);
    return this.owner.length - 1;
  }

  get idle(): number {
    return this.#idle.length;
  }

  /** Takes a random idle record (it is busy until {@link release}d). */
  take(random: () => number): number {
    const at = Math.floor(random() * this.#idle.length);
    const record = this.#idle[at] as number;
    this.#idle[at] = this.#idle.at(-1) as number;
    this.#idle.pop();
    return record;
  }

  /** A write to the record was answered: it may be written again, unless deleted or uncertain. */
  release(record: number, status: Status): void {
    this.status[record] = status;
    if (status !== ABSENT) this.#idle.push(record);
  }
}

async function run(plan: WriteRun): Promise<WriteLog> {
  const random = seededRandom(plan.seed);
  const total = Math.max(1, Math.round(plan.rate * plan.seconds));
  const interval = 1_000 / plan.rate;
  const writes: WriteEntry[] = [];
  const kinds = { c: 0, u: 0, d: 0 };
  const failures: Record<string, number> = {};
  const answers: Promise<void>[] = [];
  const answerMs = new LatencyHistogram();
  const pool = new RecordPool();
  let maxLagMs = 0;
  const startedAt = now() + 20;
  const base = (n: number) => `${plan.urls[n % plan.urls.length]}/api/collections/${plan.feed}`;
  const issue = (n: number) => {
    const dueAt = startedAt + n * interval;
    maxLagMs = Math.max(maxLagMs, now() - dueAt);
    const pick = random();
    let kind: WriteEntry["kind"] =
      plan.feed === "news" || pick < plan.mix.create
        ? "c"
        : pick < plan.mix.create + plan.mix.update
          ? "u"
          : "d";
    // Only records whose create was acknowledged, and with no write in flight, are changed.
    if (kind !== "c" && pool.idle === 0) kind = "c";
    kinds[kind] += 1;
    const after: Status =
      kind === "d" ? ABSENT : plan.feed === "news" || random() < plan.activeShare ? ACTIVE : DRAFT;
    let record: number;
    let owner: number;
    let before: Status = ABSENT;
    if (kind === "c") {
      owner = Math.floor(random() * plan.users);
      record = pool.add(owner, ABSENT);
    } else {
      record = pool.take(random);
      owner = pool.owner[record] as number;
      before = pool.status[record] as Status;
    }
    const write: WriteEntry = { n, kind, record, owner, before, after, ok: false, dueAt };
    writes.push(write);
    const { token, id: ownerId } = users[owner] as BenchUser;
    // Each record carries when its latest write was due (the latency clock starts then, not
    // when this process got round to it).
    const body =
      plan.feed === "news"
        ? { title: `load bench step ${plan.step} write ${n}`, n, step: plan.step, sentAt: dueAt }
        : kind === "c"
          ? {
              id: recordId(plan.step, record),
              owner: ownerId,
              status: after === ACTIVE ? "active" : "draft",
              title: `load bench step ${plan.step} record ${record}`,
              n: record,
              step: plan.step,
              sentAt: dueAt,
            }
          : kind === "u"
            ? { status: after === ACTIVE ? "active" : "draft", sentAt: dueAt }
            : undefined;
    const path = kind === "c" ? base(n) : `${base(n)}/records/${recordId(plan.step, record)}`;
    const [method, expected] =
      kind === "c" ? ["POST", 201] : kind === "u" ? ["PATCH", 200] : ["DELETE", 204];
    answers.push(
      send(
        method,
        kind === "c" ? `${path}/records` : path,
        token,
        body && JSON.stringify(body),
      ).then(({ status }) => {
        answerMs.record(now() - dueAt);
        write.ok = status === expected;
        if (write.ok) {
          if (plan.feed === "feed") pool.release(record, after);
          return;
        }
        // The write may or may not have happened: the record is never written again.
        failures[status || "error"] = (failures[status || "error"] ?? 0) + 1;
      }),
    );
  };
  // Open loop: writes go out on schedule whether or not earlier ones were answered, so a slow
  // system shows up as latency instead of quietly lowering the rate.
  let n = 0;
  while (n < total) {
    while (n < total && now() >= startedAt + n * interval) issue(n++);
    await new Promise((resolve) => setTimeout(resolve, startedAt + n * interval - now()));
  }
  await Promise.all(answers);
  return {
    writes,
    startedAt,
    endedAt: now(),
    kinds,
    failures,
    maxLagMs: Math.round(maxLagMs),
    answerMs: answerMs.summary(),
  };
}

const handlers = {
  init(argument: { users: BenchUser[] }) {
    users = argument.users;
  },
  run: (plan: WriteRun) => run(plan),
  fill: fillHistory,
};

/** What the orchestrator may call. */
export type WriterHandlers = typeof handlers;

serve(handlers);
