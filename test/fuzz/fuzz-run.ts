/**
 * Runs hostile input (hostile.ts) into targets — a route, a message type — and checks each is
 * refused in its transport's form, never answered as an internal error, and that no table
 * changed. Shared by the bounded test in `npm test` and by `npm run fuzz`; it asserts with
 * node:assert, so it runs outside vitest too.
 */
import assert from "node:assert/strict";
import type { PrismaClient } from "@tidings/db";
import fc from "fast-check";
import { type Poisoned, type PoisonFilter, poisoned } from "./hostile.ts";

/** Somewhere hostile input can be sent. */
export interface FuzzTarget {
  /** The route or message type, as the report names it. */
  name: string;
  /** A valid input; the poison goes into a copy of it. */
  template: unknown;
  /** The poisons this transport can carry to where (a URL cannot carry a lone surrogate). */
  allowed?: PoisonFilter;
  /** Sends the input and checks the answer is the transport's refusal; throws otherwise. */
  send(input: Poisoned): Promise<void>;
}

/** Targets on running servers, and what a run needs around them. */
export interface FuzzEnvironment {
  targets: FuzzTarget[];
  /** Row counts of every table a refused input could write to. */
  snapshot(): Promise<unknown>;
  /** The servers' TIDINGS_JSON_MAX_DEPTH: deep values go past it. */
  maxDepth: number;
  close(): Promise<void>;
}

/** How hard to fuzz. */
export interface FuzzOptions {
  /** Inputs per target. */
  runs: number;
  seed?: number;
}

// Every table a refused input could have written to. Connections are left out: the fuzz's own
// clients (a FastSchema handshake per input) come and go.
const TABLES = [
  "records",
  "outbox",
  "collections",
  "users",
  "publish_idempotency_keys",
  "realtime_subscriptions",
  "velo_channels",
];

/** How many rows each table holds, in one round trip. */
export function rowCounts(prisma: PrismaClient): () => Promise<Record<string, number>> {
  const sql = `SELECT ${TABLES.map((table) => `(SELECT count(*) FROM "${table}")::int AS "${table}"`).join(", ")}`;
  return async () => {
    const [counts] = await prisma.$queryRawUnsafe<Record<string, number>[]>(sql);
    return counts as Record<string, number>;
  };
}

/**
 * Fuzzes each target in turn and answers how many inputs each took. Throws fast-check's report
 * (seed, path and the smallest failing input) at the first input that is not refused properly.
 */
export async function fuzzTargets(
  environment: FuzzEnvironment,
  options: FuzzOptions,
): Promise<Map<string, number>> {
  const { targets, snapshot, maxDepth } = environment;
  const counts = new Map<string, number>();
  for (const target of targets) {
    let inputs = 0;
    const property = fc.asyncProperty(
      poisoned(target.template, maxDepth, target.allowed),
      async (input) => {
        inputs += 1;
        const before = await snapshot();
        await target.send(input);
        assert.deepEqual(await snapshot(), before, `${target.name}: a refused input changed rows`);
      },
    );
    await fc
      .assert(property, {
        numRuns: options.runs,
        includeErrorInReport: true,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      })
      .catch((error: Error) => {
        throw new Error(`${target.name}: ${error.message}`, { cause: error });
      });
    counts.set(target.name, inputs);
  }
  return counts;
}

const PROBLEM_CODES = {
  nul: "nul_character",
  nulKey: "nul_character",
  lone: "lone_surrogate",
  loneKey: "lone_surrogate",
  deep: "too_deep",
} as const;

/** The field a refusal should name: where the poison went, or the key it added. */
export function expectedField(input: Poisoned, from = 0): string {
  return input.path.slice(from).join(".") || "body";
}

/**
 * Checks `data` of a refusal names the poisoned field with the matching problem code: exactly for
 * a poisoned value, the object holding it for a key (named with the key, escaped) or for a value
 * too deep (named down to the first level past the limit).
 */
export function assertNamesField(data: unknown, input: Poisoned, from = 0): void {
  const entries = Object.entries((data ?? {}) as Record<string, { code?: string }>);
  assert.equal(entries.length, 1, `one field named: ${JSON.stringify(data)}`);
  const [[path, problem]] = entries as [[string, { code?: string }]];
  const field = expectedField(input, from);
  assert.equal(problem.code, PROBLEM_CODES[input.kind], `${path}: code`);
  if (input.kind === "nul" || input.kind === "lone") assert.equal(path, field);
  else if (field !== "body") assert.ok(path.startsWith(field), `${path} names ${field}`);
}
