import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runLoadBench } from "./load-bench.ts";
import type { LoadReport } from "./report.ts";
import { saveReport } from "./save-report.ts";

// The short variant of `npm run bench` (which sweeps up to 10,000 clients): the same path end to
// end, small enough for `npm test`.
describe("load bench, short", () => {
  it("2 client processes × 50 clients: per-user and broadcast feeds and the plain Socket.IO baseline deliver every write once, to its readers only; report and chart carry the figures", {
    timeout: 120_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "tidings-load-"));
    try {
      const report = await runLoadBench({
        clients: [100],
        rates: [40],
        broadcastDeliveries: [2_000],
        seconds: 2,
        workers: 2,
        records: 1,
        evaluators: 1,
        gateways: 1,
        activeShare: 0.5,
        env: {},
        command: "vitest test/load",
        log: () => {},
      });
      expect(report.connects[0]).toMatchObject({ target: "tidings", clients: 100, failed: 0 });
      expect(report.steps.map((s) => `${s.target} ${s.feed}`)).toEqual([
        "tidings feed",
        "tidings news",
        "baseline news",
      ]);
      for (const step of report.steps) {
        expect(step.writes.acknowledged).toBe(step.writes.attempted);
        expect(step.deliveries.expected).toBeGreaterThan(0);
        expect(step.deliveries.received).toBe(step.deliveries.expected);
        expect({
          missing: step.missing,
          duplicate: step.duplicate,
          leaked: step.leaked,
          stray: step.stray,
          disconnected: step.disconnected,
        }).toEqual({ missing: 0, duplicate: 0, leaked: 0, stray: 0, disconnected: 0 });
        expect(step.latencyMs.p50).toBeGreaterThan(0);
        expect(step.latencyMs.p99).toBeGreaterThanOrEqual(step.latencyMs.p50);
        expect(step.latencyMs.max).toBeGreaterThanOrEqual(step.latencyMs.p99);
        expect(step.deliveries.perSecond).toBeGreaterThan(0);
      }
      // Broadcast: each client gets every write; per-user: about half the writes are drafts.
      const [perUser, broadcast] = report.steps as [
        LoadReport["steps"][number],
        LoadReport["steps"][number],
      ];
      expect(broadcast.deliveries.expected).toBe(broadcast.writes.acknowledged * 100);
      expect(perUser.deliveries.expected).toBeLessThan(perUser.writes.acknowledged);

      const { json, svg } = await saveReport(report, dir);
      const saved = JSON.parse(await readFile(json, "utf8")) as LoadReport;
      const names = saved.steps[0]?.processes.map((p) => p.name);
      expect(names).toEqual(
        expect.arrayContaining([
          "records-1",
          "evaluator-1",
          "gateway-1",
          "writer",
          "client-1",
          "client-2",
          "baseline",
        ]),
      );
      for (const usage of saved.steps[0]?.processes ?? []) {
        expect(usage.cpuPercent).toBeGreaterThanOrEqual(0);
        if (usage.pids.length === 1) expect(usage.peakRssMb).toBeGreaterThan(0);
      }
      expect(saved.comparisons).toEqual([
        expect.objectContaining({ clients: 100, ratio: expect.any(Number) }),
      ]);
      expect(Object.keys(saved.targets)).toEqual(["connections", "perUserFeed", "broadcast"]);
      expect(saved.machine.cpus).toBeGreaterThan(0);

      const chart = await readFile(svg, "utf8");
      expect(chart).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(chart.trim().endsWith("</svg>")).toBe(true);
      expect(chart).toContain("Per-user feed");
      expect(chart).toContain("<polyline");
      expect(chart).toContain(`ratio ${saved.comparisons[0]?.ratio.toFixed(2)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
