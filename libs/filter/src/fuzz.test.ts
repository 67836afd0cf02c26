import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FilterAst } from "./ast.ts";
import { checkFilter } from "./checker.ts";
import { compile } from "./compile.ts";
import { FilterError } from "./errors.ts";
import { parseFastSchemaFilter } from "./fastschema-parser.ts";
import { parseFluxbaseFilter } from "./fluxbase-parser.ts";
import { parseFilter } from "./parser.ts";
import type { RequestData } from "./schema.ts";
import { parseSort } from "./sort.ts";
import { toSql } from "./sql.ts";
import { TEST_SCHEMA } from "./testing/arbitraries.ts";
import {
  fastschemaFilter,
  pocketbaseFilter,
  pocketbaseRule,
} from "./testing/filter-arbitraries.ts";
import { fluxbaseFilter } from "./testing/fluxbase-arbitraries.ts";

const SLOW_MS = 250;
const ALPHABET = "()'\"\\&|=!<>~?@.:%_ -+019eE,{}[]$atruflsnmtag\u0000\ud800😀é";
const record = {
  id: "r1",
  created: "2024-01-01T00:00:00.000Z",
  updated: "2024-01-01T00:00:00.000Z",
  title: "x",
};

let slowest = 0;

// What write rules read; list and view rules and client filters judge a read.
const request: RequestData = {
  method: "PATCH",
  body: { title: "y", tags: ["u1"], meta: { a: [1] } },
  query: { page: "2" },
  headers: { x_token: "t" },
};

/** Runs the whole pipeline; anything but a FilterError, or a slow step, fails the test. */
function survive(run: () => FilterAst, scope: "read" | "write" = "read"): void {
  const started = performance.now();
  try {
    const checked = checkFilter(run(), TEST_SCHEMA, { allowHidden: false, request: scope });
    compile(checked)(record, { id: "u1" }, new Date(), "realtime", request);
    toSql(checked, {
      alias: "r",
      param: () => "$1",
      auth: null,
      now: new Date(),
      context: "default",
      request,
    });
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    expect(error.position).toBeGreaterThanOrEqual(0);
    expect(error.message).toMatch(/ at \d+$/);
  }
  slowest = Math.max(slowest, performance.now() - started);
}

const mutation = fc.tuple(
  fc.nat(),
  fc.constantFrom("insert", "delete", "replace"),
  fc.constantFrom(...ALPHABET),
);

function mutate(text: string, edits: [number, string, string][]): string {
  let out = text;
  for (const [at, kind, ch] of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === "insert") out = out.slice(0, i) + ch + out.slice(i);
    else if (kind === "delete") out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i) + ch + out.slice(i + 1);
  }
  return out;
}

const noise = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 60 }),
);

describe("fuzzing: hostile input only ever gets a FilterError, quickly", () => {
  it("survives random and mutated PocketBase filters", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          noise,
          fc
            .tuple(pocketbaseFilter, fc.array(mutation, { maxLength: 4 }))
            .map(([t, e]) => mutate(t, e)),
        ),
        (text) => {
          survive(() => parseFilter(text));
          try {
            parseSort(text, TEST_SCHEMA, { allowHidden: false });
          } catch (error) {
            if (!(error instanceof FilterError)) throw error;
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(slowest).toBeLessThan(SLOW_MS);
  });

  it("survives random and mutated write rules, which read the request", () => {
    fc.assert(
      fc.property(
        fc
          .tuple(pocketbaseRule, fc.array(mutation, { maxLength: 4 }))
          .map(([t, e]) => mutate(t, e)),
        (text) => {
          survive(() => parseFilter(text), "write");
          survive(() => parseFilter(text), "read");
        },
      ),
      { numRuns: 2000 },
    );
    expect(slowest).toBeLessThan(SLOW_MS);
  });

  it("survives random and mutated FastSchema filters, as text and as values", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          noise,
          fc
            .tuple(fastschemaFilter, fc.array(mutation, { maxLength: 4 }))
            .map(([f, e]) => mutate(JSON.stringify(f), e)),
          fc.anything(),
          fc.jsonValue(),
        ),
        (input) => survive(() => parseFastSchemaFilter(input)),
      ),
      { numRuns: 3000 },
    );
    expect(slowest).toBeLessThan(SLOW_MS);
  });

  it("survives random and mutated Fluxbase filters", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          noise,
          fc
            .tuple(fluxbaseFilter, fc.array(mutation, { maxLength: 4 }))
            .map(([t, e]) => mutate(t, e)),
        ),
        (text) => survive(() => parseFluxbaseFilter(text, { schema: TEST_SCHEMA })),
      ),
      { numRuns: 3000 },
    );
    expect(slowest).toBeLessThan(SLOW_MS);
  });

  it("answers the worst inputs within the limits quickly", () => {
    const worst = [
      "(".repeat(4096),
      `${"(".repeat(32)}a = 1${")".repeat(32)}`,
      "a".repeat(4096),
      `title = '${"\\'".repeat(2000)}'`,
      Array.from({ length: 100 }, () => "title ~ '%a%a%a%a%a%b'")
        .join(" || ")
        .slice(0, 4096),
      "1 = 1 && ".repeat(455),
    ];
    for (const text of worst) survive(() => parseFilter(text));
    for (const text of [
      "[".repeat(4096),
      `{"a":${"[".repeat(30)}`,
      `{"$or":[${'{"a":1},'.repeat(500)}{"a":1}]}`.slice(0, 4096),
    ]) {
      survive(() => parseFastSchemaFilter(text));
    }
    expect(slowest).toBeLessThan(SLOW_MS);
  });
});
