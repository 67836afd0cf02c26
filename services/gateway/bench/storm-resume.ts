import type { ChildProcess } from "node:child_process";
import { ask, stopChild } from "./child-processes.ts";
import type { ClientReply, ClientSpec, DeliveryCheck, WriteEntry } from "./storm-protocol.ts";
import { closeClients, connectClients, readServer, startServer } from "./storm-steps.ts";
import { type StormWorld, write } from "./storm-world.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The gateway kill: how long its clients took to resume elsewhere, and what they received. */
export interface ResumeResult extends DeliveryCheck {
  clients: number;
  lost: number;
  resumed: number;
  /** Seconds from the SIGKILL until each client had resumed both subscriptions. */
  p50: number;
  p90: number;
  max: number;
  /** The surviving gateway's CPU from the kill until all had resumed, per resumed client. */
  cpuMsPerClient: number;
  resyncs: number;
  reconnectFailures: number;
  errors: string[];
  writes: number;
  writesOk: number;
}

/** Plan of the kill: writes at `rate`/s for `seconds`, the SIGKILL `after` seconds in. */
export interface ResumePlan {
  rate: number;
  seconds: number;
  after: number;
  concurrency: number;
  /** Write the surviving gateway's CPU profile into this folder. */
  cpuProfileDir?: string | undefined;
}

// Writes to the per-user feed (half of them active), each by a random user: the record is its
// writer's, so only that user may receive it; one write every 5 s goes to the broadcast feed,
// which every client receives (more would be a broadcast benchmark, not a resume one).
function writer(world: StormWorld, clients: ClientSpec[], plan: ResumePlan) {
  const writes: WriteEntry[] = [];
  const pending: Promise<void>[] = [];
  const startedAt = Date.now();
  const total = Math.round(plan.rate * plan.seconds);
  const run = async () => {
    for (let n = 1; n <= total; n += 1) {
      await pause(startedAt + (n * 1_000) / plan.rate - Date.now());
      const spec = clients[Math.floor(Math.random() * clients.length)] as ClientSpec;
      const user = world.users[spec.user] as { id: string; token: string };
      const entry: WriteEntry = {
        n,
        collection: n % (plan.rate * 5) === 0 ? "news" : "feed",
        owner: spec.user,
        active: Math.random() < 0.5,
        ok: false,
      };
      writes.push(entry);
      const body =
        entry.collection === "news"
          ? { n }
          : { n, owner: user.id, status: entry.active ? "active" : "draft" };
      pending.push(
        write(world.recordsUrl, entry.collection, body, user.token).then((ok) => {
          entry.ok = ok;
        }),
      );
    }
    await Promise.all(pending);
  };
  return { writes, done: run(), startedAt };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/**
 * Two gateways; every client on the first. Writes go on while the first is SIGKILLed: its clients
 * reconnect to the second and resume both subscriptions; afterwards every client must have every
 * change it may see exactly once, and none it may not.
 */
export async function gatewayKill(
  world: StormWorld,
  workers: ChildProcess[],
  clients: ClientSpec[],
  plan: ResumePlan,
): Promise<ResumeResult> {
  const first = await startServer({ kind: "gateway", env: world.gatewayEnv });
  const second = await startServer({
    kind: "gateway",
    env: world.gatewayEnv,
    cpuProfileDir: plan.cpuProfileDir,
  });
  try {
    const connected = await connectClients(
      workers,
      [first.url, second.url],
      clients,
      plan.concurrency,
    );
    const writing = writer(world, clients, plan);
    await pause(writing.startedAt + plan.after * 1_000 - Date.now());
    const cpuBefore = (await readServer(second)).cpuUs;
    const killedAt = Date.now();
    await stopChild(first.child, "SIGKILL");
    const resumes = async () =>
      Promise.all(
        workers.map((w) => ask<ClientReply, "resumes">(w, { type: "resumes" }, "resumes")),
      );
    const deadline = Date.now() + 120_000;
    let answers = await resumes();
    const expectedLost = clients.length - connected.failed;
    while (Date.now() < deadline) {
      const lost = answers.flatMap((a) => a.lostAt).length;
      const done = answers.flatMap((a) => a.resumedAt).filter((at) => at > 0).length;
      if (lost >= expectedLost && done === lost) break;
      await pause(250);
      answers = await resumes();
    }
    const cpuUs = (await readServer(second)).cpuUs - cpuBefore;
    await writing.done;
    await pause(3_000);
    const checks = await Promise.all(
      workers.map((w) =>
        ask<ClientReply, "check">(w, { type: "check", writes: writing.writes }, "check"),
      ),
    );
    await closeClients(workers);
    const seconds = answers
      .flatMap((a) => a.resumedAt)
      .filter((at) => at > 0)
      .map((at) => (at - killedAt) / 1_000)
      .sort((a, b) => a - b);
    const round = (value: number) => Math.round(value * 100) / 100;
    const sum = (key: keyof DeliveryCheck) => checks.reduce((total, c) => total + c[key], 0);
    return {
      clients: expectedLost,
      lost: answers.flatMap((a) => a.lostAt).length,
      resumed: seconds.length,
      p50: round(percentile(seconds, 0.5)),
      p90: round(percentile(seconds, 0.9)),
      max: round(seconds.at(-1) ?? 0),
      cpuMsPerClient: round(cpuUs / 1_000 / Math.max(seconds.length, 1)),
      resyncs: answers.reduce((total, a) => total + a.resyncs, 0),
      reconnectFailures: answers.reduce((total, a) => total + a.failures, 0),
      errors: [...connected.errors, ...answers.flatMap((a) => a.errors)].slice(0, 5),
      writes: writing.writes.length,
      writesOk: writing.writes.filter((w) => w.ok).length,
      expected: sum("expected"),
      missing: sum("missing"),
      duplicate: sum("duplicate"),
      leaked: sum("leaked"),
    };
  } finally {
    await stopChild(first.child, "SIGKILL");
    await stopChild(second.child);
  }
}
