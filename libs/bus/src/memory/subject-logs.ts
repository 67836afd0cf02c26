import { SeqQueue } from "./seq-queue.ts";
import { hasWildcard, subjectMatches } from "./subject-match.ts";

/** The messages of one subject, oldest first. */
export class SubjectLog<T extends { readonly seq: number }> extends SeqQueue<T> {
  /** One string per subject, which the subject's messages share. */
  readonly subject: string;

  constructor(subject: string) {
    super();
    this.subject = subject;
  }
}

/**
 * One queue per subject, and which queues each filter reads. A filter is resolved to its subjects
 * once and kept up to date as new subjects appear, so reading a partition costs a binary search
 * in that partition's own messages, never a walk past the other partitions' ones.
 */
export class SubjectLogs<T extends { readonly seq: number; readonly subject: string }> {
  readonly #logs = new Map<string, SubjectLog<T>>();
  readonly #byFilter = new Map<string, SubjectLog<T>[]>();

  /** The queue of `subject`, created on first use. */
  logOf(subject: string): SubjectLog<T> {
    let log = this.#logs.get(subject);
    if (!log) {
      log = new SubjectLog<T>(subject);
      this.#logs.set(subject, log);
      for (const [filter, logs] of this.#byFilter) {
        if (subjectMatches(filter, subject)) logs.push(log);
      }
    }
    return log;
  }

  /** The queue of `subject` if it ever had a message. */
  existing(subject: string): SubjectLog<T> | undefined {
    return this.#logs.get(subject);
  }

  /** The queues of every subject `filter` (NATS wildcards allowed) matches. */
  matching(filter: string): readonly SubjectLog<T>[] {
    if (!hasWildcard(filter)) {
      const log = this.#logs.get(filter);
      return log ? [log] : [];
    }
    let logs = this.#byFilter.get(filter);
    if (!logs) {
      logs = [...this.#logs]
        .filter(([subject]) => subjectMatches(filter, subject))
        .map(([, l]) => l);
      this.#byFilter.set(filter, logs);
    }
    return logs;
  }

  /** Every message of `logs` from sequence `seq` on, in sequence order. */
  *from(logs: readonly SubjectLog<T>[], seq: number): Generator<T> {
    if (logs.length === 1) {
      const log = logs[0] as SubjectLog<T>;
      for (let i = log.rank(seq); i < log.size; i++) yield log.at(i) as T;
      return;
    }
    // A merge of the subjects' queues: a handful of partitions, so a linear pick of the next one.
    const positions = logs.map((log) => log.rank(seq));
    for (;;) {
      let pick = -1;
      let lowest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < logs.length; i++) {
        const item = (logs[i] as SubjectLog<T>).at(positions[i] as number);
        if (item && item.seq < lowest) {
          lowest = item.seq;
          pick = i;
        }
      }
      if (pick < 0) return;
      yield (logs[pick] as SubjectLog<T>).at((positions[pick] as number)++) as T;
    }
  }
}
