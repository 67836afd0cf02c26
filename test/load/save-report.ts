import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoadReport } from "./report.ts";
import { svgChart } from "./svg-chart.ts";

/** Writes `report.json` and `chart.svg` into `dir`; returns their paths. */
export async function saveReport(
  report: LoadReport,
  dir: string,
): Promise<{ json: string; svg: string }> {
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, "report.json"), svg: join(dir, "chart.svg") };
  await writeFile(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(paths.svg, svgChart(report));
  return paths;
}
