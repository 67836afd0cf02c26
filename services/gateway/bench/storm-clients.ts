// A client worker of the connect storm, forked by connect-storm.ts: connects its share of the
// clients with a bounded number of connections in flight, keeps them open (reconnecting and
// resuming after a lost connection), and reports their resumes and deliveries when asked.
import { BenchClient } from "./bench-client.ts";
import type {
  ClientCommand,
  ClientReply,
  ClientSpec,
  DeliveryCheck,
  WriteEntry,
} from "./storm-protocol.ts";

const send = (reply: ClientReply) => process.send?.(reply);
const clients: BenchClient[] = [];
let resyncs = 0;
const failures: string[] = [];
const events = {
  resynced: () => {
    resyncs += 1;
  },
  failed: (message: string) => {
    failures.push(message);
  },
};

// socket.io-client's "websocket error" carries the transport's own error as its description.
function describe(error: unknown): string {
  const { message, description } = error as {
    message?: string;
    description?: { message?: string };
  };
  return [message, description?.message].filter(Boolean).join(": ").slice(0, 200);
}

async function connectAll(urls: string[], specs: ClientSpec[], concurrency: number) {
  const startedAt = Date.now();
  const errors: string[] = [];
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < specs.length) {
      const client = new BenchClient(specs[next++] as ClientSpec, urls, events);
      try {
        await client.open();
        clients.push(client);
      } catch (error) {
        failed += 1;
        if (errors.length < 5) errors.push(describe(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, lane));
  send({ type: "connected", startedAt, endedAt: Date.now(), failed, errors });
}

// Every write a client may see must have arrived exactly once; none it may not see.
function check(writes: WriteEntry[]): DeliveryCheck {
  const result: DeliveryCheck = { expected: 0, missing: 0, duplicate: 0, leaked: 0 };
  const news = writes.filter((w) => w.ok && w.collection === "news").map((w) => w.n);
  const feed = writes.filter((w) => w.ok && w.collection === "feed" && w.active);
  for (const client of clients) {
    const own = feed.filter((w) => w.owner === client.spec.user).map((w) => w.n);
    for (const [expected, received] of [
      [news, client.received.news],
      [own, client.received.feed],
    ] as const) {
      const got = new Set(received);
      result.expected += expected.length;
      result.missing += expected.filter((n) => !got.has(n)).length;
      result.duplicate += received.length - got.size;
    }
    const allowed = new Set(own);
    result.leaked += client.received.feed.filter((n) => !allowed.has(n)).length;
  }
  return result;
}

process.on("message", (command: ClientCommand) => {
  if (command.type === "connect")
    void connectAll(command.urls, command.clients, command.concurrency);
  else if (command.type === "resumes") {
    const lost = clients.filter((client) => client.lostAt > 0);
    send({
      type: "resumes",
      lostAt: lost.map((client) => client.lostAt),
      resumedAt: lost.map((client) => client.resumedAt),
      resyncs,
      failures: failures.length,
      errors: [...new Set(failures)].slice(0, 5),
    });
  } else if (command.type === "check") send({ type: "check", ...check(command.writes) });
  else if (command.type === "close") {
    for (const client of clients.splice(0)) client.close();
    send({ type: "closed" });
  }
});
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
