import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** One sample of a scraped family: its labels and value (histograms: their count). */
export interface Sample {
  labels: Record<string, string>;
  value: number;
  count?: number;
  sum?: number;
}

/** A scrape, parsed by Prometheus' own text-format parser. */
export interface Scrape {
  /** The families by name (counters with their `_total`). */
  readonly families: Map<string, { type: string; samples: Sample[] }>;
  /** Sum of the values (histograms: of the counts) of `name`'s samples whose labels include `match`. */
  total(name: string, match?: Record<string, string>): number;
}

const SOURCE = fileURLToPath(new URL("./promparse", import.meta.url));
const BINARY = join(tmpdir(), "tidings-promparse");
let built = false;

/**
 * Builds test/support/promparse (Go's expfmt.TextParser, from Debian's golang-go and
 * golang-github-prometheus-common-dev; `.ci/run` installs them) once per test process; Go's build
 * cache makes every build after the first a second or so.
 */
function parser(): string {
  if (!built) {
    execFileSync("go", ["build", "-o", BINARY, "."], {
      cwd: SOURCE,
      env: { ...process.env, GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOFLAGS: "" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    built = true;
  }
  return BINARY;
}

/** Fetches `url` (a /metrics endpoint) and parses it; throws when the text does not parse. */
export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  const text = await response.text();
  const parsed = JSON.parse(execFileSync(parser(), { input: text, encoding: "utf8" })) as {
    name: string;
    type: string;
    samples: Sample[];
  }[];
  const families = new Map(parsed.map((family) => [family.name, family]));
  return {
    families,
    total(name, match = {}) {
      let sum = 0;
      for (const sample of families.get(name)?.samples ?? [])
        if (Object.entries(match).every(([key, value]) => sample.labels[key] === value))
          sum += sample.value;
      return sum;
    },
  };
}
