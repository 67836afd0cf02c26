import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runLoadBench } from "./load-bench.ts";
import type { LoadReport, StepResult } from "./report.ts";
import { saveReport } from "./save-report.ts";
import { base, expectClean } from "./short-bench.ts";

describe("load bench, short", () => {
  it("one cluster, 2 gateways: W1 (creates, updates, deletes; entered and left) and W2 against plain Socket.IO reach their readers only, once, in order; a connect storm and memory per client against the baseline; a gateway SIGKILLed under W1 and its clients resumed with nothing missed", {
    timeout: 180_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "tidings-load-"));
    try {
      const report = await runLoadBench({
        ...base,
        steps: ["storm", "memory", "w1", "broadcast", "kill"],
      });
      expect(report.steps.map((s) => `${s.kind} ${s.target}`)).toEqual([
        "warm-up tidings",
        "w1 tidings",
        "broadcast tidings",
        "broadcast baseline",
        "kill tidings",
      ]);
      for (const step of report.steps) expectClean(step);
      const [, w1, broadcast, , killed] = report.steps as StepResult[];
      const { c, u, d } = w1?.writes.kinds ?? { c: 0, u: 0, d: 0 };
      expect(Math.min(c, u, d)).toBeGreaterThan(0);
      for (const action of ["created", "updated", "deleted", "entered", "left"] as const)
        expect(w1?.deliveries.expectedByAction[action], action).toBeGreaterThan(0);
      expect(broadcast?.deliveries.expected).toBe((broadcast?.writes.acknowledged ?? 0) * 100);

      expect(report.storms.map((s) => [s.target, s.connected, s.failed])).toEqual([
        ["tidings", 120, 0],
        ["baseline", 120, 0],
      ]);
      for (const s of report.storms) expect(s.perSecond).toBeGreaterThan(0);
      expect(report.memory.map((m) => m.target)).toEqual(["tidings", "baseline"]);
      for (const m of report.memory) expect(m.rssAfterMb).toBeGreaterThan(0);

      expect(report.kills).toHaveLength(1);
      const kill = report.kills[0];
      expect(kill?.onKilledGateway).toBe(80);
      expect(kill?.resumed).toBe(80);
      expect(kill?.resumeSeconds.max).toBeGreaterThan(0);
      expect(killed?.deliveries.received).toBeGreaterThan(0);

      const names = w1?.processes.map((p) => `${p.name}:${p.role}`);
      expect(names).toEqual(
        expect.arrayContaining([
          "records-1:system",
          "evaluator-1:system",
          "gateway-1:system",
          "gateway-2:system",
          "nats-server:system",
          "redis-server:system",
          "postgres (backends):system",
          "writer:load",
          "client-1:load",
          "baseline:other",
        ]),
      );
      expect(report.comparisons).toEqual([
        expect.objectContaining({ clients: 100, ratio: expect.any(Number) }),
      ]);
      expect(report.targets.map((t) => t.name)).toEqual(
        expect.arrayContaining([
          "connect storm into one gateway",
          "gateway memory per connected, subscribed client",
          "gateway kill",
          "broadcast (W2) against plain Socket.IO",
        ]),
      );

      const { json, svg } = await saveReport(report, dir);
      const saved = JSON.parse(await readFile(json, "utf8")) as LoadReport;
      expect(saved.steps).toHaveLength(5);
      const chart = await readFile(svg, "utf8");
      expect(chart).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(chart.trim().endsWith("</svg>")).toBe(true);
      expect(chart).toContain("W1 per-user feed");
      expect(chart).toContain("<polyline");
      expect(chart).toContain(`ratio ${saved.comparisons[0]?.ratio.toFixed(2)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
