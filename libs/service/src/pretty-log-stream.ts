import { build, type MessageFormatFunc, type PrettyStream } from "pino-pretty";
import { ACCESS_MESSAGE } from "./access-log.ts";

// An access line's message becomes `GET /api/… 200 3.2 ms` and these fields are left out of its
// tail. `ignore` applies to every line, but no other line of Tidings logs them.
const FOLDED_INTO_MESSAGE = ["method", "url", "statusCode", "responseTime"];

const message: MessageFormatFunc = (log, messageKey) => {
  if (log[messageKey] !== ACCESS_MESSAGE) return String(log[messageKey] ?? "");
  return `${log.method} ${log.url} ${log.statusCode} ${log.responseTime} ms`;
};

/**
 * Log lines for a person at a terminal: local time, coloured level, message, then the remaining
 * fields on the same line (one event per line, as `tail` and `grep` expect); errors keep their
 * stack below. Synchronous, in this thread: a worker transport would lose the last lines of a
 * crash and starts a thread a terminal session does not need. `destination`: stdout by default.
 */
export function prettyLogStream(destination?: NodeJS.WritableStream): PrettyStream {
  return build({
    sync: true,
    singleLine: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: ["pid", "hostname", ...FOLDED_INTO_MESSAGE].join(","),
    messageFormat: message,
    ...(destination ? { destination } : {}),
  });
}
