// What the connect-storm orchestrator and its forked children (servers, client workers) say to
// each other over the fork IPC channel.

/** A server child: a Tidings gateway (env as its process would get it) or a plain Socket.IO one. */
export interface ServerConfig {
  kind: "gateway" | "plain";
  env: Record<string, string>;
  /** Write a CPU profile into this folder when the server stops. */
  cpuProfileDir?: string | undefined;
}

/** Memory of a server after a full garbage collection (bytes), and the CPU it used so far. */
export interface ServerReading {
  rss: number;
  heapUsed: number;
  /** The V8 heap's committed size: heapUsed plus what garbage collection freed but kept. */
  heapTotal: number;
  external: number;
  connections: number;
  /** User + system CPU time since the process started, in microseconds. */
  cpuUs: number;
  /** The event loop's busy and idle time since the process started, in ms. */
  loopActiveMs: number;
  loopIdleMs: number;
}

export type ServerCommand = { type: "memory" } | { type: "snapshot"; file: string };
export type ServerReply =
  | { type: "listening"; port: number }
  | ({ type: "memory" } & ServerReading)
  | { type: "snapshot"; file: string };

/** A client a worker connects: the user it signs in as (index into the bench's users). */
export interface ClientSpec {
  user: number;
  token: string;
}

/** One write of the resume step, as the orchestrator's writer sent it. */
export interface WriteEntry {
  n: number;
  collection: "feed" | "news";
  /** Index of the writing user (the owner, for `feed`). */
  owner: number;
  active: boolean;
  ok: boolean;
}

/** What a worker found about its clients' deliveries, compared to the writes. */
export interface DeliveryCheck {
  expected: number;
  missing: number;
  duplicate: number;
  /** Feed records another user owns, or that are not active: must never arrive. */
  leaked: number;
}

export type ClientCommand =
  | {
      type: "connect";
      /** Clients go to urls[0]; after a lost connection they reconnect to the next url. */
      urls: string[];
      clients: ClientSpec[];
      /** Connections being set up at once by this worker. */
      concurrency: number;
    }
  | { type: "resumes" }
  | { type: "check"; writes: WriteEntry[] }
  | { type: "close" };

export type ClientReply =
  | { type: "ready" }
  | {
      type: "connected";
      /** Epoch ms of the first connect attempt and of the last client with both subscriptions acknowledged. */
      startedAt: number;
      endedAt: number;
      failed: number;
      errors: string[];
    }
  | {
      type: "resumes";
      /** Epoch ms per client that lost its connection: when, and when it had resumed (0: not yet). */
      lostAt: number[];
      resumedAt: number[];
      resyncs: number;
      failures: number;
      errors: string[];
    }
  | ({ type: "check" } & DeliveryCheck)
  | { type: "closed" };
