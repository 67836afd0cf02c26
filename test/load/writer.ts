// The writer process: creates records through the REST API at a steady rate, each carrying the
// time its write started (`sentAt`), and reports every write and how it was answered.
import { Agent, request } from "node:http";
import { seededRandom } from "../support/workload.ts";
import { serve } from "./child-rpc.ts";
import { now } from "./clock.ts";
import { LatencyHistogram, type LatencySummary } from "./latency-histogram.ts";
import type { BenchUser, FeedName, WriteEntry } from "./workload.ts";

/** What one run of writes is asked to do. */
export interface WriteRun {
  /** REST base URLs, used in turn (the records replicas, or the baseline server). */
  urls: string[];
  feed: FeedName;
  step: number;
  /** Writes per second. */
  rate: number;
  seconds: number;
  /** Owners (and, for `news`, writers) are drawn from the first `users` users. */
  users: number;
  /** Share of `feed` records written with `status = 'active'`. */
  activeShare: number;
  seed: number;
}

/** What a run did. */
export interface WriteLog {
  writes: WriteEntry[];
  /** When the first write was due, and when the last answer came (clock.ts). */
  startedAt: number;
  endedAt: number;
  /** Answers other than 201, by status ("error" when the request itself failed). */
  failures: Record<string, number>;
  /** How late the writer issued its most delayed write (its own CPU being short). */
  maxLagMs: number;
  /** From each write's due time to its REST answer. */
  answerMs: LatencySummary;
}

// Keep-alive connections, enough of them that a slow answer does not hold the next writes back.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let users: BenchUser[] = [];

function post(url: string, path: string, token: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      `${url}${path}`,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

async function run(plan: WriteRun): Promise<WriteLog> {
  const random = seededRandom(plan.seed);
  const total = Math.max(1, Math.round(plan.rate * plan.seconds));
  const interval = 1_000 / plan.rate;
  const writes: WriteEntry[] = [];
  const failures: Record<string, number> = {};
  const answers: Promise<void>[] = [];
  const answerMs = new LatencyHistogram();
  let maxLagMs = 0;
  const startedAt = now() + 20;
  const issue = (n: number) => {
    const due = startedAt + n * interval;
    maxLagMs = Math.max(maxLagMs, now() - due);
    const owner = Math.floor(random() * plan.users);
    const user = users[owner] as BenchUser;
    const active = plan.feed === "news" || random() < plan.activeShare;
    const write: WriteEntry = { n, owner, active, ok: false };
    writes.push(write);
    // The latency clock starts when the write was due, not when this process got round to it.
    const record = {
      ...(plan.feed === "feed" ? { owner: user.id, status: active ? "active" : "draft" } : {}),
      title: `load bench step ${plan.step} write ${n}`,
      n,
      step: plan.step,
      sentAt: due,
    };
    const url = plan.urls[n % plan.urls.length] as string;
    answers.push(
      post(url, `/api/collections/${plan.feed}/records`, user.token, JSON.stringify(record)).then(
        (status) => {
          answerMs.record(now() - due);
          write.ok = status === 201;
          if (!write.ok) failures[status || "error"] = (failures[status || "error"] ?? 0) + 1;
        },
      ),
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
};

/** What the orchestrator may call. */
export type WriterHandlers = typeof handlers;

serve(handlers);
