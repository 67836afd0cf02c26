import type { LoadReport } from "./report.ts";

const WIDTH = 1000;
const HEIGHT = 420;
const PANEL = { top: 60, bottom: 350, width: 400 };
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

const escapeXml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
const text = (x: number, y: number, content: string, attributes = "") =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
const short = (value: number) =>
  value >= 1_000_000
    ? `${(value / 1_000_000).toFixed(1)}M`
    : value >= 1_000
      ? `${Math.round(value / 1_000)}k`
      : String(Math.round(value));

// Left panel: W1 (the per-user mix) latency (log scale) against client count, p99 solid and p50
// dashed, one colour per write rate, and the 100 ms target.
function latencyPanel(report: LoadReport, left: number): string[] {
  const steps = report.steps.filter((s) => s.kind === "w1");
  const clients = [...new Set(steps.map((s) => s.clients))].sort((a, b) => a - b);
  const rates = [...new Set(steps.map((s) => s.rate))].sort((a, b) => a - b);
  const top = Math.max(1_000, ...steps.map((s) => s.latencyMs.p99));
  const decades = Math.ceil(Math.log10(top));
  const y = (ms: number) =>
    PANEL.bottom - (Math.log10(Math.max(1, ms)) / decades) * (PANEL.bottom - PANEL.top);
  const x = (i: number) => left + ((i + 0.5) / Math.max(1, clients.length)) * PANEL.width;
  const parts = [
    text(left, 40, "W1 per-user feed: write → receive latency (ms, log)", 'font-weight="bold"'),
  ];
  for (let d = 0; d <= decades; d += 1) {
    const ms = 10 ** d;
    parts.push(
      `<line x1="${left}" x2="${left + PANEL.width}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/>`,
      text(left - 6, y(ms) + 4, short(ms), 'text-anchor="end" font-size="11"'),
    );
  }
  parts.push(
    `<line x1="${left}" x2="${left + PANEL.width}" y1="${y(100)}" y2="${y(100)}" stroke="#000" stroke-dasharray="2,3"/>`,
    text(left + PANEL.width, y(100) - 4, "target p99 100 ms", 'text-anchor="end" font-size="11"'),
  );
  for (const [i, count] of clients.entries())
    parts.push(
      text(
        x(i),
        PANEL.bottom + 18,
        `${short(count)} clients`,
        'text-anchor="middle" font-size="11"',
      ),
    );
  for (const [r, rate] of rates.entries()) {
    const color = COLORS[r % COLORS.length] as string;
    for (const [key, dash] of [
      ["p99", ""],
      ["p50", ' stroke-dasharray="5,4"'],
    ] as const) {
      const points = clients.flatMap((count, i) => {
        const step = steps.find((s) => s.clients === count && s.rate === rate);
        return step ? [[x(i).toFixed(1), y(step.latencyMs[key]).toFixed(1)]] : [];
      });
      parts.push(
        `<polyline points="${points.map((point) => point.join(",")).join(" ")}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`,
        ...points.map(([cx, cy]) => `<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`),
      );
    }
    parts.push(
      `<line x1="${left + 10}" x2="${left + 30}" y1="${PANEL.bottom + 36 + r * 14}" y2="${PANEL.bottom + 36 + r * 14}" stroke="${color}" stroke-width="2"/>`,
      text(
        left + 36,
        PANEL.bottom + 40 + r * 14,
        `${short(rate)} writes/s (solid p99, dashed p50)`,
        'font-size="11"',
      ),
    );
  }
  return parts;
}

// Right panel: broadcast feed against the plain Socket.IO baseline, deliveries per second, one
// pair of bars per client count and rate, with the ratio above.
function broadcastPanel(report: LoadReport, left: number): string[] {
  const pairs = report.comparisons;
  const top = Math.max(1, ...pairs.flatMap((c) => [c.tidingsPerSecond, c.baselinePerSecond]));
  const scale = (value: number) => (value / top) * (PANEL.bottom - PANEL.top - 20);
  const slot = PANEL.width / Math.max(1, pairs.length);
  const bar = Math.min(40, slot / 3);
  const parts = [
    text(left, 40, "Broadcast: deliveries/s, Tidings vs plain Socket.IO", 'font-weight="bold"'),
  ];
  parts.push(
    `<line x1="${left}" x2="${left + PANEL.width}" y1="${PANEL.bottom}" y2="${PANEL.bottom}" stroke="#999"/>`,
  );
  for (const [i, c] of pairs.entries()) {
    const center = left + slot * (i + 0.5);
    for (const [value, offset, color] of [
      [c.tidingsPerSecond, -bar, COLORS[0]],
      [c.baselinePerSecond, 0, "#aaa"],
    ] as const) {
      parts.push(
        `<rect x="${(center + offset).toFixed(1)}" y="${(PANEL.bottom - scale(value)).toFixed(1)}" width="${bar.toFixed(1)}" height="${scale(value).toFixed(1)}" fill="${color}"/>`,
        text(
          center + offset + bar / 2,
          PANEL.bottom - scale(value) - 4,
          short(value),
          'text-anchor="middle" font-size="10"',
        ),
      );
    }
    parts.push(
      text(
        center,
        PANEL.bottom + 16,
        `${short(c.clients)} × ${short(c.rate)}/s`,
        'text-anchor="middle" font-size="11"',
      ),
      text(
        center,
        PANEL.bottom + 30,
        `ratio ${c.ratio.toFixed(2)}`,
        'text-anchor="middle" font-size="11" font-weight="bold"',
      ),
    );
  }
  parts.push(
    `<rect x="${left + 10}" y="${PANEL.bottom + 42}" width="12" height="10" fill="${COLORS[0]}"/>`,
    text(left + 28, PANEL.bottom + 51, "Tidings broadcast feed", 'font-size="11"'),
    `<rect x="${left + 190}" y="${PANEL.bottom + 42}" width="12" height="10" fill="#aaa"/>`,
    text(left + 208, PANEL.bottom + 51, "plain Socket.IO io.emit (baseline)", 'font-size="11"'),
  );
  return parts;
}

/** The report as an SVG chart: latency of W1 (per-user feed), and broadcast against baseline. */
export function svgChart(report: LoadReport): string {
  const title = `Tidings load bench — ${report.date}, ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT + 20}" viewBox="0 0 ${WIDTH} ${HEIGHT + 20}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(WIDTH / 2, 18, title, 'text-anchor="middle" font-size="13"'),
    ...latencyPanel(report, 60),
    ...broadcastPanel(report, 560),
    "</svg>",
    "",
  ].join("\n");
}
