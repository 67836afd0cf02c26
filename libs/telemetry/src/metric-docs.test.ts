import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { METRICS } from "./metric-catalog.ts";

const docs = readFileSync(new URL("../../../docs/observability.md", import.meta.url), "utf8");

describe("docs/observability.md", () => {
  it.each(Object.values(METRICS))("lists $name with its kind and unit", (spec) => {
    const row = docs.split("\n").find((line) => line.startsWith(`| \`${spec.name}\` |`));
    expect(row, spec.name).toBeDefined();
    const cells = (row as string).split("|").map((cell) => cell.trim());
    expect(cells.slice(2, 4)).toEqual([spec.kind, spec.unit]);
  });

  it("lists no metric the services do not record", () => {
    const documented = [...docs.matchAll(/^\| `([a-z_.]+)` \| (?:counter|gauge|histogram)/gm)];
    expect(documented.map((match) => match[1]).sort()).toEqual(
      Object.values(METRICS)
        .map((spec) => spec.name)
        .sort(),
    );
  });
});
