import { withPostgres } from "@tidings/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindValues } from "./bind.ts";
import type { CheckedFilter, CheckedNode, CheckedOperand } from "./checked.ts";
import { checkFilter } from "./checker.ts";
import { compile } from "./compile.ts";
import { FilterError } from "./errors.ts";
import { parseFastSchemaFilter } from "./fastschema-parser.ts";
import { parseFluxbaseFilter } from "./fluxbase-parser.ts";
import { compileLike } from "./like-pattern.ts";
import { parseFilter } from "./parser.ts";
import type { AuthRecord, RecordData, RequestContext, RequestData } from "./schema.ts";
import { testComparison } from "./semantics.ts";
import { compileSort, parseSort, sortToSql } from "./sort.ts";
import { toSql } from "./sql.ts";
import {
  authArb,
  nowArb,
  recordsArb,
  requestArb,
  stringValue,
  TEST_SCHEMA,
} from "./testing/arbitraries.ts";
import {
  fastschemaFilter,
  pocketbaseFilter,
  pocketbaseRule,
} from "./testing/filter-arbitraries.ts";
import { fluxbaseFilter } from "./testing/fluxbase-arbitraries.ts";
import { RecordsTable } from "./testing/pg-records.ts";
import { readPath } from "./values.ts";

/** The reference meaning: bind the request values, then apply testComparison node by node. */
function reference(node: CheckedNode, record: RecordData): boolean {
  const raw = (operand: CheckedOperand): unknown => {
    const ref = operand.ref;
    if (ref.kind === "literal") return ref.value;
    if (ref.kind === "column") return record[ref.column];
    if (ref.kind === "data") return readPath(record, [ref.field, ...ref.path]);
    throw new Error(`unbound ${ref.kind}`);
  };
  switch (node.kind) {
    case "const":
      return node.value;
    case "and":
      return node.items.every((item) => reference(item, record));
    case "or":
      return node.items.some((item) => reference(item, record));
    case "cmp":
      return testComparison(node, raw(node.left), raw(node.right));
  }
}

interface Case {
  label: string;
  checked: CheckedFilter;
}

function checkOrSkip(
  label: string,
  parse: () => ReturnType<typeof parseFilter>,
  request: "read" | "write" = "read",
): Case | null {
  try {
    return { label, checked: checkFilter(parse(), TEST_SCHEMA, { allowHidden: true, request }) };
  } catch (error) {
    if (error instanceof FilterError) return null;
    throw error;
  }
}

describe("differential: PostgreSQL and the compiled predicate agree", () => {
  let table: RecordsTable;
  let dispose: () => Promise<void>;
  let checkedCount = 0;
  // Filters that select some records but not all: the ones that can tell two semantics apart.
  let splitCount = 0;

  beforeAll(async () => {
    const db = await withPostgres();
    dispose = () => db.drop();
    table = await RecordsTable.create(db.url);
  });

  afterAll(async () => {
    await table?.close();
    await dispose?.();
  });

  async function agree(
    records: Record<string, unknown>[],
    cases: Case[],
    auth: AuthRecord,
    now: Date,
    context: RequestContext,
    request?: RequestData,
  ): Promise<void> {
    await table.load(records);
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const sql = cases.map(({ checked }) =>
      toSql(checked, { alias: "r", param, auth, now, context, ...(request && { request }) }),
    );
    const fromSql = await table.matchingIds(sql, params);
    cases.forEach(({ label, checked }, i) => {
      const predicate = compile(checked);
      const bound = bindValues(checked.root, {
        auth,
        context,
        nowMs: now.getTime(),
        ...(request && { request }),
      });
      const fromMemory = new Set<string>();
      for (const record of records) {
        const matched = predicate(record, auth, now, context, request);
        expect(matched, `compile vs reference: ${label} on ${JSON.stringify(record)}`).toBe(
          reference(bound, record),
        );
        if (matched) fromMemory.add(record.id as string);
      }
      expect([...(fromSql[i] as Set<string>)].sort(), `${label}\nSQL: ${sql[i]}`).toEqual(
        [...fromMemory].sort(),
      );
      checkedCount++;
      if (fromMemory.size > 0 && fromMemory.size < records.length) splitCount++;
    });
  }

  it("agrees on generated PocketBase filters", async () => {
    await fc.assert(
      fc.asyncProperty(
        recordsArb,
        fc.array(pocketbaseFilter, { minLength: 60, maxLength: 60 }),
        authArb,
        nowArb,
        fc.constantFrom<RequestContext>("default", "realtime"),
        async (records, texts, auth, now, context) => {
          const cases = texts.flatMap((text) => checkOrSkip(text, () => parseFilter(text)) ?? []);
          await agree(records, cases, auth, now, context);
        },
      ),
      { numRuns: Number(process.env.DIFF_RUNS ?? 40) },
    );
    expect(checkedCount).toBeGreaterThan(600);
    expect(splitCount).toBeGreaterThan(100);
  });

  it("agrees on generated write rules, which read the request's body, query, headers and method", async () => {
    const before = checkedCount;
    const splitBefore = splitCount;
    await fc.assert(
      fc.asyncProperty(
        recordsArb,
        fc.array(pocketbaseRule, { minLength: 60, maxLength: 60 }),
        authArb,
        nowArb,
        requestArb,
        async (records, texts, auth, now, request) => {
          const cases = texts.flatMap(
            (text) => checkOrSkip(text, () => parseFilter(text), "write") ?? [],
          );
          await agree(records, cases, auth, now, "default", request);
        },
      ),
      { numRuns: Number(process.env.DIFF_RUNS ?? 40) },
    );
    expect(checkedCount - before).toBeGreaterThan(600);
    expect(splitCount - splitBefore).toBeGreaterThan(100);
  });

  it("agrees on generated FastSchema filters", async () => {
    const before = checkedCount;
    await fc.assert(
      fc.asyncProperty(
        recordsArb,
        fc.array(fastschemaFilter, { minLength: 40, maxLength: 40 }),
        authArb,
        nowArb,
        async (records, objects, auth, now) => {
          const cases = objects.flatMap((object, i) => {
            const input = i % 2 === 0 ? JSON.stringify(object) : object;
            return checkOrSkip(JSON.stringify(object), () => parseFastSchemaFilter(input)) ?? [];
          });
          await agree(records, cases, auth, now, "default");
        },
      ),
      { numRuns: Number(process.env.DIFF_RUNS ?? 20) },
    );
    expect(checkedCount - before).toBeGreaterThan(300);
  });

  it("agrees on generated Fluxbase filters", async () => {
    const before = checkedCount;
    await fc.assert(
      fc.asyncProperty(
        recordsArb,
        fc.array(fluxbaseFilter, { minLength: 40, maxLength: 40 }),
        authArb,
        nowArb,
        async (records, texts, auth, now) => {
          const cases = texts.flatMap(
            (text) =>
              checkOrSkip(text, () => parseFluxbaseFilter(text, { schema: TEST_SCHEMA })) ?? [],
          );
          await agree(records, cases, auth, now, "realtime");
        },
      ),
      { numRuns: Number(process.env.DIFF_RUNS ?? 20) },
    );
    expect(checkedCount - before).toBeGreaterThan(300);
  });

  it("orders records the same way with sortToSql and compileSort", async () => {
    const keys = [
      "title",
      "score",
      "active",
      "published",
      "created",
      "updated",
      "id",
      "meta",
      "meta.a",
      "owner",
      "body",
    ];
    const sortList = fc
      .array(fc.tuple(fc.constantFrom("", "-", "+"), fc.constantFrom(...keys)), {
        minLength: 1,
        maxLength: 3,
      })
      .map((terms) => terms.map(([dir, key]) => dir + key).join(","));
    await fc.assert(
      fc.asyncProperty(recordsArb, sortList, async (records, text) => {
        const terms = parseSort(text, TEST_SCHEMA, { allowHidden: true });
        await table.load(records);
        const fromSql = await table.orderedIds(sortToSql(terms, "r"));
        const fromMemory = [...records].sort(compileSort(terms)).map((record) => record.id);
        expect(fromSql, text).toEqual(fromMemory);
      }),
      { numRuns: Number(process.env.DIFF_RUNS ?? 40) },
    );
  });

  it("matches LIKE patterns as PostgreSQL does, wildcards, escapes and case folding included", async () => {
    const piece = fc.oneof(
      stringValue,
      fc.constantFrom("%", "_", "\\", "\\%", "\\_", "a", "B", "😀"),
    );
    const pattern = fc.array(piece, { maxLength: 5 }).map((parts) => parts.join(""));
    const subject = fc
      .array(fc.oneof(stringValue, fc.constantFrom("a", "b", "A", "😀", "%", "_")), {
        maxLength: 6,
      })
      .map((parts) => parts.join(""));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(subject, pattern, fc.constantFrom("auto", "pattern", "contains"), fc.boolean()),
          { minLength: 50, maxLength: 50 },
        ),
        async (cases) => {
          const compiled = cases.map(([, value, syntax, fold]) =>
            compileLike(value, syntax as "auto", fold),
          );
          const sql = cases.map(([, , , fold], i) => {
            const subjectSql = fold
              ? `translate($${2 * i + 1}::text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`
              : `$${2 * i + 1}::text`;
            return `${subjectSql} COLLATE "C" LIKE $${2 * i + 2}::text ESCAPE E'\\\\'`;
          });
          const params = cases.flatMap(([text], i) => [text, (compiled[i] as { sql: string }).sql]);
          const fromSql = await table.evaluate(sql, params);
          cases.forEach(([text, value, syntax, fold], i) => {
            expect(
              compiled[i]?.test(text),
              JSON.stringify({ text, value, syntax, fold, sql: compiled[i]?.sql }),
            ).toBe(fromSql[i]);
          });
        },
      ),
      { numRuns: Number(process.env.DIFF_RUNS ?? 40) },
    );
  });
});
