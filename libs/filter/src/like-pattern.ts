import type { LikeSyntax } from "./ast.ts";

import {
  ANY_ONE,
  ANY_RUN,
  foldCp,
  type LikeSegment,
  type LikeShape,
  matchLike,
} from "./like-match.ts";

/**
 * A LIKE pattern compiled once: code points (ASCII already lowercased when `fold`) and
 * wildcards, split at `%` for matching. `sql` is the same pattern for PostgreSQL, with `\` as
 * the escape character.
 */
export interface LikePattern extends LikeShape {
  readonly tokens: readonly number[];
  readonly sql: string;
  /** Matches a subject string (which the matcher folds itself). */
  readonly test: (subject: string) => boolean;
}

function hasUnescapedPercent(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    if (value[i] === "\\") i++;
    else if (value[i] === "%") return true;
  }
  return false;
}

function literalTokens(text: string, fold: boolean): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    out.push(fold ? foldCp(cp) : cp);
  }
  return out;
}

function patternTokens(value: string, fold: boolean): number[] {
  const out: number[] = [];
  const chars = Array.from(value);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === "\\" && i + 1 < chars.length) {
      out.push(...literalTokens(chars[++i] as string, fold));
    } else if (ch === "%") {
      if (out[out.length - 1] !== ANY_RUN) out.push(ANY_RUN);
    } else if (ch === "_") {
      out.push(ANY_ONE);
    } else {
      out.push(...literalTokens(ch, fold));
    }
  }
  return out;
}

/** PocketBase's substring form: only `\%`, `\_` and `\\` are escapes; all else is literal. */
function autoSubstring(value: string): string {
  return value.replace(/\\([%_\\])/g, "$1");
}

function toSql(tokens: readonly number[]): string {
  let sql = "";
  for (const t of tokens) {
    if (t === ANY_RUN) sql += "%";
    else if (t === ANY_ONE) sql += "_";
    else {
      const ch = String.fromCodePoint(t);
      sql += ch === "%" || ch === "_" || ch === "\\" ? `\\${ch}` : ch;
    }
  }
  return sql;
}

/**
 * Longest run between two `%` that may contain a `_` wildcard. Such runs are searched in
 * subject × run length steps, so a long one on a long record could stall matching.
 */
export const MAX_WILDCARD_RUN = 64;

/** True when some `%`-separated run of the tokens holds a `_` and is longer than the maximum. */
function tooComplex(tokens: readonly number[]): boolean {
  let length = 0;
  let wildcard = false;
  for (const t of [...tokens, ANY_RUN]) {
    if (t === ANY_RUN) {
      if (wildcard && length > MAX_WILDCARD_RUN) return true;
      length = 0;
      wildcard = false;
    } else {
      length++;
      wildcard ||= t === ANY_ONE;
    }
  }
  return false;
}

/** True when {@link compileLike} would read `value` as a plain substring despite its wildcards. */
export function isTooComplexPattern(value: string, syntax: LikeSyntax): boolean {
  const isPattern = syntax === "pattern" || (syntax === "auto" && hasUnescapedPercent(value));
  return isPattern && tooComplex(patternTokens(value, false));
}

/**
 * Compiles the right-hand side of `~`: `contains` matches the value as a substring, `pattern`
 * reads it as a LIKE pattern (`%`, `_`, `\` escapes), `auto` is PocketBase's rule (a pattern if
 * it holds an unescaped `%`, else a substring). `fold` ignores ASCII case. A pattern with a run
 * longer than {@link MAX_WILDCARD_RUN} holding `_` is read as a substring.
 */
export function compileLike(value: string, syntax: LikeSyntax, fold: boolean): LikePattern {
  let tokens: number[] = [];
  const isPattern = syntax === "pattern" || (syntax === "auto" && hasUnescapedPercent(value));
  if (isPattern) tokens = patternTokens(value, fold);
  // A pattern too costly to match is read as a substring; the checker rejects such literals,
  // so this only happens to values that arrive at run time (from @request.auth).
  if (!isPattern || tooComplex(tokens)) {
    const text = syntax === "auto" ? autoSubstring(value) : value;
    tokens = [ANY_RUN, ...literalTokens(text, fold), ANY_RUN];
    if (tokens.length === 2) tokens = [ANY_RUN];
  }
  const pattern: LikePattern = {
    tokens,
    sql: toSql(tokens),
    ...shape(tokens, fold),
    test: (subject) => matchLike(pattern, subject),
  };
  return pattern;
}

function segment(tokens: number[], fold: boolean): LikeSegment {
  if (!tokens.every((t) => t >= 0)) return { tokens, literal: null, failure: null };
  const literal = String.fromCodePoint(...tokens);
  return { tokens, literal, failure: fold && literal.length > 16 ? kmpTable(literal) : null };
}

/** Knuth–Morris–Pratt failure table, for long needles searched with case folding. */
function kmpTable(needle: string): Int32Array {
  const failure = new Int32Array(needle.length + 1);
  failure[0] = -1;
  for (let i = 1, k = -1; i <= needle.length; i++) {
    while (k >= 0 && needle.charCodeAt(k) !== needle.charCodeAt(i - 1)) k = failure[k] as number;
    failure[i] = ++k;
  }
  return failure;
}

function shape(tokens: readonly number[], fold: boolean): LikeShape {
  const runs: number[][] = [[]];
  for (const t of tokens) {
    if (t === ANY_RUN) runs.push([]);
    else (runs[runs.length - 1] as number[]).push(t);
  }
  const first = runs[0] as number[];
  const last = runs.length === 1 ? [] : (runs[runs.length - 1] as number[]);
  const middle = runs
    .slice(1, -1)
    .filter((run) => run.length > 0)
    .map((run) => segment(run, fold));
  const only =
    middle.length === 1 && first.length === 0 && last.length === 0 ? middle[0] : undefined;
  const substring = only?.literal != null && (!fold || only.failure === null) ? only.literal : null;
  return { fold, substring, anchored: runs.length === 1, first, middle, last };
}
