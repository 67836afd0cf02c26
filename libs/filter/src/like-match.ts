/**
 * Matching of compiled LIKE patterns. Shared functions over plain data (not one closure per
 * pattern), so that V8 optimises them once however many distinct patterns are live.
 */

/** `%`: any run of characters. */
export const ANY_RUN = -1;
/** `_`: exactly one character (code point). */
export const ANY_ONE = -2;

/** A run of the pattern between two `%`. */
export interface LikeSegment {
  readonly tokens: readonly number[];
  /** The run as a string when it has no `_`, searched directly. */
  readonly literal: string | null;
  /** KMP table for long literals searched with folding. */
  readonly failure: Int32Array | null;
}

/** A pattern split at `%`: `first % middle… % last`, or only `first` when `anchored`. */
export interface LikeShape {
  readonly fold: boolean;
  /** Set when the pattern is `%text%` with a short or case-sensitive text: one plain search. */
  readonly substring: string | null;
  readonly anchored: boolean;
  readonly first: readonly number[];
  readonly middle: readonly LikeSegment[];
  readonly last: readonly number[];
}

/** ASCII lowercase of a code point. */
export function foldCp(cp: number): number {
  return cp >= 65 && cp <= 90 ? cp + 32 : cp;
}

/** Where `tokens` end if they match `s` at `at` (code point by code point), or -1. */
function matchAt(tokens: readonly number[], fold: boolean, s: string, at: number): number {
  let i = at;
  for (const t of tokens) {
    if (i >= s.length) return -1;
    const cp = s.codePointAt(i) as number;
    if (t !== ANY_ONE && t !== (fold ? foldCp(cp) : cp)) return -1;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** Folded search for a short needle: at most subject × 16 steps, and faster than KMP there. */
function shortFoldedSearch(needle: string, s: string, from: number): number {
  const first = needle.charCodeAt(0);
  const last = s.length - needle.length;
  outer: for (let i = from; i <= last; i++) {
    if (foldCp(s.charCodeAt(i)) !== first) continue;
    for (let j = 1; j < needle.length; j++) {
      if (foldCp(s.charCodeAt(i + j)) !== needle.charCodeAt(j)) continue outer;
    }
    return i;
  }
  return -1;
}

/** Knuth–Morris–Pratt over UTF-16 units with folding: linear in both lengths. */
function kmpFoldedSearch(needle: string, failure: Int32Array, s: string, from: number): number {
  for (let i = from, k = 0; i < s.length; i++) {
    const c = foldCp(s.charCodeAt(i));
    while (k >= 0 && needle.charCodeAt(k) !== c) k = failure[k] as number;
    if (++k === needle.length) return i + 1 - needle.length;
  }
  return -1;
}

/**
 * Leftmost match of a segment at or after `from`; returns where it ends, or -1. Literal
 * segments are found in linear time (UTF-16 search is exact for well-formed text); segments with
 * `_` cost at most subject × segment length.
 */
function search(segment: LikeSegment, fold: boolean, s: string, from: number): number {
  const literal = segment.literal;
  if (literal !== null) {
    let start: number;
    if (!fold) start = s.indexOf(literal, from);
    else if (segment.failure === null) start = shortFoldedSearch(literal, s, from);
    else start = kmpFoldedSearch(literal, segment.failure, s, from);
    return start < 0 ? -1 : start + literal.length;
  }
  for (let i = from; i <= s.length; i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1) {
    const end = matchAt(segment.tokens, fold, s, i);
    if (end >= 0) return end;
  }
  return -1;
}

/** Start of the last `count` code points of `s`, or -1 if it has fewer. */
function lastCodePoints(s: string, count: number): number {
  let i = s.length;
  for (let n = 0; n < count; n++) {
    if (i <= 0) return -1;
    const low = s.charCodeAt(i - 1);
    const high = i >= 2 ? s.charCodeAt(i - 2) : 0;
    i -= low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? 2 : 1;
  }
  return i;
}

/**
 * Whether `s` matches: the first run at the start, the last at the end, each middle one at its
 * leftmost place (never worse for what follows, since `%` absorbs anything in between).
 */
export function matchLike(p: LikeShape, s: string): boolean {
  if (p.substring !== null) {
    return p.fold ? shortFoldedSearch(p.substring, s, 0) >= 0 : s.includes(p.substring);
  }
  if (p.anchored) return matchAt(p.first, p.fold, s, 0) === s.length;
  let pos = matchAt(p.first, p.fold, s, 0);
  if (pos < 0) return false;
  for (const segment of p.middle) {
    pos = search(segment, p.fold, s, pos);
    if (pos < 0) return false;
  }
  const start = lastCodePoints(s, p.last.length);
  return start >= pos && matchAt(p.last, p.fold, s, start) === s.length;
}
