import { PAIRINGS } from "./pairings.ts";
import type { PairingResult } from "./run-pairing.ts";

/** A pairing's figures, with the ratios against the classic pairing of the same run. */
export interface PairingSummary extends PairingResult {
  label: string;
  /** Messages Redis pushed to nodes per message emitted (1 = only the node holding the room). */
  fanOut: number;
  /** Emitter + all nodes + the Redis server, per message delivered: the broker path's cost. */
  pathCpuUsPerMessage: number;
  vsClassic: Record<
    "emittedPerSecond" | "deliveredPerSecond" | "redisMessagesToNodes" | "nodeCpu" | "pathCpu",
    number
  > | null;
}

export function summarize(results: PairingResult[]): PairingSummary[] {
  const base = (result: PairingResult) => ({
    ...result,
    label: PAIRINGS[result.pairing].label,
    fanOut: result.redisToNodes.totalMessages / result.emitted.messages,
    pathCpuUsPerMessage:
      ((result.cpuMs.emitter + result.cpuMs.nodesTotal + result.redisServer.cpuMs) * 1000) /
      Math.max(1, result.delivered.unique),
  });
  const classicResult = results.find((result) => result.pairing === "classic");
  const classic = classicResult ? base(classicResult) : null;
  return results.map((result) => {
    const summary = base(result);
    return {
      ...summary,
      vsClassic: classic && {
        emittedPerSecond: summary.emitted.perSecond / classic.emitted.perSecond,
        deliveredPerSecond: summary.delivered.perSecond / classic.delivered.perSecond,
        redisMessagesToNodes:
          summary.redisToNodes.totalMessages / classic.redisToNodes.totalMessages,
        nodeCpu: summary.cpuMs.nodesTotal / classic.cpuMs.nodesTotal,
        pathCpu: summary.pathCpuUsPerMessage / classic.pathCpuUsPerMessage,
      },
    };
  });
}

const int = (value: number) => Math.round(value).toLocaleString("en-US");
const ratio = (value: number | undefined) => (value === undefined ? "-" : `${value.toFixed(2)}×`);

/** A short table for people; the JSON carries everything. */
export function table(summaries: PairingSummary[]): string {
  const header = [
    "pairing",
    "emitted/s",
    "delivered/s",
    "lost",
    "Redis→node msgs",
    "fan-out",
    "Redis→nodes MB",
    "node CPU ms",
    "emitter CPU ms",
    "Redis CPU ms",
    "path µs/msg",
    "node CPU vs classic",
    "path vs classic",
  ];
  const rows = summaries.map((s) => [
    s.pairing,
    int(s.emitted.perSecond),
    int(s.delivered.perSecond),
    int(s.delivered.lost),
    s.redisToNodes.messages.map(int).join(" / "),
    `${s.fanOut.toFixed(2)}`,
    (s.redisToNodes.totalBytes / 1e6).toFixed(1),
    int(s.cpuMs.nodesTotal),
    int(s.cpuMs.emitter),
    int(s.redisServer.cpuMs),
    s.pathCpuUsPerMessage.toFixed(1),
    ratio(s.vsClassic?.nodeCpu),
    ratio(s.vsClassic?.pathCpu),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => cell.padStart(widths[column] as number)).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}
