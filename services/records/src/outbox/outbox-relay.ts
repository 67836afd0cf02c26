import { type Bus, ExpectationFailedError, isRetryable } from "@tidings/bus";
import { type Database, isDatabaseUnavailable, type SqlRunner } from "@tidings/db";
import { encodeChangeEvent } from "@tidings/protocol";
import type { Logger } from "@tidings/service";
import {
  changeEventHeaders,
  MARK_AND_SELECT_UNSENT,
  type OutboxRow,
  outboxEventId,
  outboxSeqOf,
  toChangeEvent,
} from "./outbox-events.ts";
import { publishInWritersTrace, RelayMetrics } from "./relay-telemetry.ts";
import { ScanFloor, type ScanFloorOptions } from "./scan-floor.ts";
import { SentRowsCleanup } from "./sent-rows-cleanup.ts";
import { WakeSignal } from "./wake-signal.ts";

/** Tuning of the relay. */
export interface OutboxRelayOptions extends ScanFloorOptions {
  /** Rows published per round. @default 256 */
  batchSize?: number;
  /** Longest wait between rounds when no NOTIFY arrives (a safety net). @default 1000 */
  pollMs?: number;
  /** Wait before trying again after an outage or while another replica relays. @default 1000 */
  retryMs?: number;
  /**
   * Shortest time between the starts of two rounds while writes stream in (see
   * {@link keepsPacing}): a round then carries the rows of several, one statement and one stream
   * read for all of them, for at most this much more latency. A lone write, or one right after
   * it, waits for nothing. @default 5
   */
  roundMs?: number;
  /** Sent rows are deleted after this long (the stream holds the history). @default 300000 (5 min) */
  keepSentMs?: number;
}

/** Moves outbox rows to the bus, in order, exactly once. */
export interface OutboxRelay {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True while this replica holds the relay lock. */
  readonly leading: boolean;
}

/** Where the relay stands between rounds. */
interface RelayChain {
  /** The msgId the next publish chains to. */
  last: string | undefined;
  /** Seqs published but not yet marked sent (the next round marks them). */
  unmarked: string[];
}

// Only one replica relays at a time (PostgreSQL advisory lock, per session), so rows are
// published in outbox order by a single writer.
const RELAY_LOCK = 7_170_001;
/** NOTIFY channel the outbox trigger signals on every insert. */
export const OUTBOX_CHANNEL = "tidings_outbox";

/**
 * Whether the next round waits for `roundMs` after this one's start. Pacing pays only while
 * writes arrive faster than rounds carry them one by one: it starts when a round carries several
 * rows and lasts while rounds find any. A lone write, or one right after it, is relayed at once
 * (a client that writes and then resumes or subscribes finds its write in the stream sooner).
 */
function keepsPacing(pacing: boolean, published: number): boolean {
  return published >= 2 || (pacing && published >= 1);
}

/**
 * The outbox relay. The lock holder publishes unsent rows in `seq` order, each chained to the one
 * before (`expectLastMsgId`), so the stream can never store a row after a later one; it marks rows
 * sent only once the stream acknowledged them. After a crash, the next holder reads the last stored
 * event and marks everything up to it as sent before going on. NATS being down only delays events:
 * rows wait, writes keep succeeding.
 */
export function createOutboxRelay(
  deps: { db: Database; bus: Bus; logger: Logger },
  options: OutboxRelayOptions = {},
): OutboxRelay {
  const { db, bus, logger } = deps;
  const batchSize = options.batchSize ?? 256;
  const pollMs = options.pollMs ?? 1_000;
  const retryMs = options.retryMs ?? 1_000;
  const roundMs = options.roundMs ?? 5;
  const keepSentMs = options.keepSentMs ?? 300_000;
  const wake = new WakeSignal();
  const metrics = new RelayMetrics();
  let stopped = true;
  let leading = false;
  let loop: Promise<void> | undefined;

  async function markSentThrough(
    session: SqlRunner,
    instance: string,
    eventId: string | undefined,
  ) {
    const seq = outboxSeqOf(instance, eventId);
    if (seq !== undefined) {
      await session.query("UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL AND seq <= $1", [
        seq.toString(),
      ]);
    }
  }

  // What the stream already holds: its last event. Rows up to it were published (by us or by a
  // holder that died before marking them); the next publish chains to it.
  async function recover(session: SqlRunner, instance: string): Promise<string | undefined> {
    const info = await bus.info("events");
    if (info.messages === 0) return undefined;
    const [last] = await bus.read(bus.subjects.events, info.lastSeq, { limit: 1 });
    await markSentThrough(session, instance, last?.msgId);
    return last?.msgId;
  }

  // `last`: the msgId the next publish chains to. `unmarked`: seqs published but not yet marked
  // sent; the next round's statement marks them (a crash in between is what `recover` is for).
  async function publishRound(
    session: SqlRunner,
    instance: string,
    chain: RelayChain,
    floor: ScanFloor,
  ) {
    const rows = await session.query<OutboxRow>(MARK_AND_SELECT_UNSENT, [
      batchSize,
      chain.unmarked,
      floor.next().toString(),
    ]);
    chain.unmarked = [];
    if (rows.length === 0) return 0;
    floor.saw(BigInt((rows.at(-1) as OutboxRow).seq));
    // Read after the rows: every subscription acknowledged before one of them was written is in.
    const subsSeq = await bus.lastSeq("subs");
    const ids = rows.map((row) => outboxEventId(instance, row.seq));
    const startedAt = performance.now();
    try {
      await Promise.all(
        rows.map((row, i) => {
          const expected = i === 0 ? chain.last : ids[i - 1];
          const data = encodeChangeEvent(toChangeEvent(instance, row));
          const msgId = ids[i] as string;
          const headers = changeEventHeaders(row, subsSeq);
          const subject = bus.subjects.eventFor(row.collection_id);
          return publishInWritersTrace(row.trace_context, subject, msgId, () =>
            bus.publish(
              subject,
              data,
              expected === undefined
                ? { msgId, headers }
                : { msgId, headers, expectLastMsgId: expected },
            ),
          );
        }),
      );
    } catch (error) {
      if (!(error instanceof ExpectationFailedError)) throw error;
      const last = await recover(session, instance);
      // The stream holds what we expected yet refused the chain: it lost its memory of the last
      // id (a server restart). Publish the next row unchained, once.
      chain.last = last === chain.last ? undefined : last;
      return rows.length;
    }
    metrics.published(rows.length, startedAt);
    chain.unmarked = rows.map((row) => String(row.seq));
    chain.last = ids.at(-1);
    return rows.length;
  }

  async function relayWhileLeading(session: SqlRunner): Promise<void> {
    const [meta] = await session.query<{ value: string }>(
      "SELECT value FROM tidings_meta WHERE key = 'instance'",
    );
    if (!meta) throw new Error("tidings_meta has no instance id; the migrations did not run");
    const instance = meta.value;
    const unlisten = await session.listen(OUTBOX_CHANNEL, wake.wake);
    const chain: RelayChain = { last: undefined, unmarked: [] };
    try {
      chain.last = await recover(session, instance);
      const cleanup = new SentRowsCleanup(keepSentMs);
      const floor = new ScanFloor(options);
      let pacing = false;
      while (!stopped) {
        const started = Date.now();
        const published = await publishRound(session, instance, chain, floor);
        await cleanup.tick(session, outboxSeqOf(instance, chain.last));
        pacing = keepsPacing(pacing, published);
        if (published < batchSize) await Promise.race([wake.wait(pollMs), session.broken]);
        const early = started + roundMs - Date.now();
        if (pacing && early > 0) await new Promise((resolve) => setTimeout(resolve, early));
      }
    } finally {
      if (chain.unmarked.length > 0) {
        await session
          .query("UPDATE outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])", [
            chain.unmarked,
          ])
          .catch(() => {});
      }
      await unlisten();
    }
  }

  async function run(): Promise<void> {
    while (!stopped) {
      let session: SqlRunner | undefined;
      try {
        session = await db.openSession();
        const [lock] = await session.query<{ ok: boolean }>(
          "SELECT pg_try_advisory_lock($1) AS ok",
          [RELAY_LOCK],
        );
        if (lock?.ok) {
          // The relay's statements are prepared, and a generic plan made while the outbox was still
          // small scans the whole table for the rows to mark, every round, until the table is next
          // analysed (on a fresh database that scan was 60 % of PostgreSQL's time at 300 writes/s).
          // Every relay statement has an index to use; this session's plans must use it. (PGlite
          // plans each statement afresh, and its one session is everyone's.)
          if (db.kind === "postgres") await session.exec("SET enable_seqscan = off");
          leading = true;
          logger.info({}, "outbox relay: leading");
          await relayWhileLeading(session);
        }
      } catch (error) {
        // An outage (NATS or the database) only delays events: a warning, not an error.
        const level = isRetryable(error) || isDatabaseUnavailable(error) ? "warn" : "error";
        logger[level]({ err: error }, "outbox relay: interrupted; rows wait in the outbox");
      } finally {
        if (leading) {
          leading = false;
          await session?.query("SELECT pg_advisory_unlock($1)", [RELAY_LOCK]).catch(() => {});
        }
        await session?.close().catch(() => {});
      }
      if (!stopped) await wake.wait(retryMs);
    }
  }

  return {
    get leading() {
      return leading;
    },
    async start() {
      if (!stopped) return;
      stopped = false;
      loop = run();
    },
    async stop() {
      stopped = true;
      wake.wake();
      await loop;
    },
  };
}
