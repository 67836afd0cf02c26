import type { LoadReport, StepResult, TracedFeed, TracingResult } from "./report.ts";

const thousands = (value: number) => Math.round(value).toLocaleString("en-US");
const ms = (value: number, width: number) => value.toFixed(value < 1_000 ? 1 : 0).padStart(width);

/** One line about a finished step, for the progress log. */
export function describeStep(s: StepResult): string {
  const { c, u, d } = s.writes.kinds;
  return [
    `${s.deployment} ${s.kind}: ${thousands(s.clients)} clients × ${thousands(s.rate)} writes/s`,
    s.feed === "feed" ? ` (${c}/${u}/${d} c/u/d)` : "",
    ` → ${thousands(s.writes.acknowledgedPerSecond)} acknowledged/s, ${thousands(s.deliveries.perSecond)} deliveries/s,`,
    ` p50 ${s.latencyMs.p50} p99 ${s.latencyMs.p99} max ${s.latencyMs.max} ms (REST p99 ${s.writes.answerMs.p99}; commit → client p99 ${s.pipelineMs.p99});`,
    ` CPU ${s.cpu.msPerWrite} ms/write, ${s.cpu.msPerDelivery} ms/delivery;`,
    ` missing ${s.missing}, duplicate ${s.duplicate}, leaked ${s.leaked}, out of order ${s.outOfOrder}, unexpected ${s.unexpected}`,
    s.disconnected ? `, ${s.disconnected} disconnected` : "",
  ].join("");
}

function stepLines(report: LoadReport): string[] {
  const lines = [
    "latency (ms) from the write's due time to arrival; REST: to its answer; commit → client: from the change's transaction time",
    "step kind         deployment              clients  writes/s (ok/s)   c/u/d %   deliv/s    p50    p90    p99      max  REST p99  commit→client p50/p99  miss dup leak ooo  ms/write ms/deliv",
  ];
  for (const s of report.steps) {
    const { c, u, d } = s.writes.kinds;
    const total = Math.max(1, c + u + d);
    const share = (n: number) => String(Math.round((n / total) * 100));
    lines.push(
      [
        String(s.step).padStart(4),
        s.kind.padEnd(12),
        s.deployment.slice(0, 22).padEnd(22),
        thousands(s.clients).padStart(7),
        `${thousands(s.rate).padStart(6)} (${thousands(s.writes.acknowledgedPerSecond)})`.padStart(
          16,
        ),
        (s.feed === "feed" ? `${share(c)}/${share(u)}/${share(d)}` : "create").padStart(9),
        thousands(s.deliveries.perSecond).padStart(9),
        ms(s.latencyMs.p50, 6),
        ms(s.latencyMs.p90, 6),
        ms(s.latencyMs.p99, 6),
        ms(s.latencyMs.max, 8),
        ms(s.writes.answerMs.p99, 9),
        `${ms(s.pipelineMs.p50, 10)} / ${ms(s.pipelineMs.p99, 7)}  `,
        String(s.missing).padStart(4),
        String(s.duplicate).padStart(3),
        String(s.leaked).padStart(4),
        String(s.outOfOrder + s.unexpected).padStart(3),
        s.cpu.msPerWrite.toFixed(3).padStart(9),
        s.cpu.msPerDelivery.toFixed(3).padStart(8),
      ].join(" "),
    );
  }
  lines.push(
    "",
    "CPU per acknowledged write (ms) by process — system under test; the load generators are excluded (their CPU seconds in brackets):",
  );
  for (const s of report.steps) {
    const acknowledged = Math.max(1, s.writes.acknowledged);
    const system = s.processes
      .filter((p) => p.role === "system" && p.cpuSeconds > 0)
      .map((p) => `${p.name} ${((p.cpuSeconds * 1000) / acknowledged).toFixed(2)}`);
    const load = s.processes
      .filter((p) => p.role === "load")
      .map((p) => `${p.name} ${p.cpuSeconds.toFixed(1)}`);
    lines.push(
      `  step ${s.step}: total ${s.cpu.msPerWrite.toFixed(2)} = ${system.join(", ")}  [load: ${load.join(", ")}]  load avg ${s.loadavg.join(" ")}`,
    );
  }
  return lines;
}

/** The human summary: the steps, the comparisons, storms, memory, the kill, history, targets. */
export function summaryTable(report: LoadReport): string {
  const lines = stepLines(report);
  if (report.comparisons.length > 0) {
    lines.push("", "broadcast feed (W2) vs plain Socket.IO broadcast (deliveries/s, same run):");
    for (const c of report.comparisons)
      lines.push(
        `  ${thousands(c.clients).padStart(6)} clients × ${thousands(c.rate).padStart(4)} writes/s: ${thousands(c.tidingsPerSecond).padStart(9)} vs ${thousands(c.baselinePerSecond).padStart(9)}  ratio ${c.ratio.toFixed(2)}`,
      );
  }
  if (report.storms.length > 0)
    lines.push("", "connect storm (connected + both subscriptions acked) and memory per client:");
  for (const s of report.storms) {
    const m = report.memory.find((memory) => memory.target === s.target);
    lines.push(
      `  ${s.target.padEnd(8)} ${thousands(s.connected).padStart(6)} clients, ${s.concurrency} at once: ${s.seconds} s = ${thousands(s.perSecond)} clients/s (${s.failed} failed, ${thousands(s.listenOverflows)} accept-queue overflows)` +
        (m
          ? `; ${m.process} RSS ${m.rssBeforeMb} → ${m.rssAfterMb} MB (${m.rssPerClientKb} KB/client), heap ${m.heapBeforeMb} → ${m.heapAfterMb} MB (${m.heapPerClientKb} KB/client)`
          : ""),
    );
  }
  const [ours, theirs] = ["tidings", "baseline"].map((t) =>
    report.storms.find((s) => s.target === t),
  );
  if (ours && theirs?.perSecond)
    lines.push(
      `  connect rate ratio Tidings / plain: ${(ours.perSecond / theirs.perSecond).toFixed(2)}`,
    );
  const [mOurs, mTheirs] = ["tidings", "baseline"].map((t) =>
    report.memory.find((m) => m.target === t),
  );
  if (mOurs && mTheirs?.rssPerClientKb)
    lines.push(
      `  memory ratio Tidings / plain (RSS per client): ${(mOurs.rssPerClientKb / mTheirs.rssPerClientKb).toFixed(2)}`,
    );
  for (const k of report.kills)
    lines.push(
      "",
      `gateway kill (step ${k.step}): ${k.lost}/${k.onKilledGateway} clients of the killed gateway lost their connection, ${k.resumed} resumed; kill → resumed p50 ${k.resumeSeconds.p50} s, p90 ${k.resumeSeconds.p90} s, last ${k.resumeSeconds.max} s; ${k.resyncs} resyncs, ${k.reconnectFailures} failed attempts${k.reconnectErrors.length ? ` (${k.reconnectErrors[0]})` : ""}, ${thousands(k.listenOverflows)} accept-queue overflows (machine-wide)`,
    );
  for (const h of report.histories)
    lines.push(
      "",
      `history, ${h.deployment}: ${thousands(h.fill.events)} events published in ${h.fill.seconds} s (${thousands(h.fill.perSecond)}/s), TIDINGS_RESUME_MAX_BYTES ${thousands(h.maxBytes)}`,
      `  ${thousands(h.short.retained).padStart(9)} retained (step ${h.short.step}): ${h.short.msPerWrite} ms/write, ${h.short.msPerDelivery} ms/delivery`,
      `  ${thousands(h.long.retained).padStart(9)} retained (step ${h.long.step}): ${h.long.msPerWrite} ms/write, ${h.long.msPerDelivery} ms/delivery`,
      `  ratio long / short: ${h.perWriteRatio} per write, ${h.perDeliveryRatio} per delivery`,
    );
  if (report.tracing.length > 0)
    lines.push("", "tracing, same load on a fresh 1/1/1 cluster each (ratios to tracing off):");
  for (const t of report.tracing) lines.push(`  ${describeTracing(t)}`);
  lines.push("");
  for (const t of report.targets)
    lines.push(`target: ${t.name} — ${t.goal}: ${t.measured}: ${t.met ? "MET" : "MISSED"}`);
  lines.push("", `${report.steps.length} steps in ${Math.round(report.seconds)} s`);
  return lines.join("\n");
}

/** One line per mode: CPU per write and p99 per feed, as ratios to tracing off. */
export function describeTracing(result: TracingResult): string {
  const part = (name: string, f: TracedFeed | undefined) =>
    f
      ? `${name} ${f.msPerWrite} ms/write (×${f.cpuRatio}), p99 ${f.p99Ms} ms (×${f.p99Ratio})`
      : "";
  return [
    `${result.mode}:`,
    part("W1", result.w1),
    part("broadcast", result.broadcast),
    `${result.exports} OTLP exports (${Math.round(result.exportedBytes / 1024)} KiB)`,
  ]
    .filter(Boolean)
    .join("; ");
}
