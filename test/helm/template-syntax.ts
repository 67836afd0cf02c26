/**
 * Parser for the subset of Go's text/template that the chart uses: text, actions with `{{-`/`-}}`
 * trimming, comments, if/else if/else, range, with, define, variables and pipelines. Anything
 * else is a parse error, so the chart cannot silently outgrow what the tests can check.
 */

/** A value in a template: a literal, a field chain, a function name, or a nested pipeline. */
export type Operand =
  | { kind: "literal"; value: unknown }
  | { kind: "field"; variable: string | undefined; path: string[] }
  | { kind: "function"; name: string }
  | { kind: "pipeline"; pipeline: Pipeline };

/** `$a, $b := cmd | cmd arg`: commands whose output feeds the next command's last argument. */
export interface Pipeline {
  declare: string[];
  commands: Operand[][];
}

/** A block: if, with or range, each with its {{ else }} part. */
export interface Block {
  kind: "if" | "with" | "range";
  pipeline: Pipeline;
  body: Node[];
  otherwise: Node[];
}

export type Node = { kind: "text"; text: string } | { kind: "output"; pipeline: Pipeline } | Block;

/** A parsed file: its own nodes and the templates it defines. */
export interface ParsedTemplate {
  nodes: Node[];
  defines: Map<string, Node[]>;
}

type Token = { kind: "text"; text: string } | { kind: "action"; body: string; line: number };

const SPACE = /[ \t\r\n]/;
const COMMENT_START = /\s*\/\*/y;

function lex(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let trimNext = false;
  let pos = 0;
  const pushText = (text: string) =>
    tokens.push({ kind: "text", text: trimNext ? text.replace(/^[ \t\r\n]+/, "") : text });
  while (pos < source.length) {
    const open = source.indexOf("{{", pos);
    if (open < 0) {
      pushText(source.slice(pos));
      break;
    }
    pushText(source.slice(pos, open));
    const line = source.slice(0, open).split("\n").length;
    let start = open + 2;
    if (source[start] === "-" && SPACE.test(source[start + 1] ?? "")) {
      const previous = tokens.at(-1);
      if (previous?.kind === "text") previous.text = previous.text.replace(/[ \t\r\n]+$/, "");
      start += 1;
    }
    const close = findClose(source, start, `${file}:${line}`);
    let end = close;
    trimNext = source[close - 1] === "-" && SPACE.test(source[close - 2] ?? "");
    if (trimNext) end -= 1;
    const body = source.slice(start, end).trim();
    if (!(body.startsWith("/*") && body.endsWith("*/")))
      tokens.push({ kind: "action", body, line });
    pos = close + 2;
  }
  return tokens;
}

/** Index of the `}}` closing the action that starts at `start`, skipping strings and comments. */
function findClose(source: string, start: number, where: string): number {
  let i = start;
  COMMENT_START.lastIndex = i;
  if (COMMENT_START.test(source)) {
    const end = source.indexOf("*/", i);
    const close = end < 0 ? -1 : source.indexOf("}}", end);
    if (close < 0) throw new Error(`${where}: unclosed comment`);
    return close;
  }
  for (; i < source.length - 1; i++) {
    const char = source[i];
    if (char === '"' || char === "`") {
      i++;
      while (i < source.length && source[i] !== char)
        i += source[i] === "\\" && char === '"' ? 2 : 1;
    } else if (char === "}" && source[i + 1] === "}") return i;
  }
  throw new Error(`${where}: unclosed action`);
}

const EXPRESSION_TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*"|`[^`]*`)|(-?\d+(?:\.\d+)?)|(\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(\.(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?)|([A-Za-z_][A-Za-z0-9_]*)|(:=|[|(),]))/y;

type ExpressionToken =
  | { kind: "operand"; operand: Operand }
  | { kind: "punct"; text: string }
  | { kind: "variable"; name: string };

function lexExpression(text: string, where: string): ExpressionToken[] {
  const tokens: ExpressionToken[] = [];
  EXPRESSION_TOKEN.lastIndex = 0;
  while (EXPRESSION_TOKEN.lastIndex < text.trimEnd().length) {
    const at = EXPRESSION_TOKEN.lastIndex;
    const match = EXPRESSION_TOKEN.exec(text);
    if (!match) throw new Error(`${where}: cannot parse "${text.slice(at)}"`);
    const [, string, number, variable, field, word, punct] = match;
    if (string !== undefined) {
      const value = string.startsWith("`") ? string.slice(1, -1) : JSON.parse(string);
      tokens.push({ kind: "operand", operand: { kind: "literal", value } });
    } else if (number !== undefined) {
      // Go keeps integer constants as ints and everything else as float64.
      const value = number.includes(".") ? Number(number) : BigInt(number);
      tokens.push({ kind: "operand", operand: { kind: "literal", value } });
    } else if (variable !== undefined) {
      const [name = "$", ...path] = variable.split(".");
      tokens.push({ kind: "variable", name });
      tokens.push({ kind: "operand", operand: { kind: "field", variable: name, path } });
    } else if (field !== undefined) {
      const previous = tokens.at(-1);
      if (match[0] === field && previous?.kind === "punct" && previous.text === ")")
        throw new Error(`${where}: field access on a parenthesized pipeline is not supported`);
      const path = field.split(".").slice(1).filter(Boolean);
      tokens.push({ kind: "operand", operand: { kind: "field", variable: undefined, path } });
    } else if (word !== undefined) {
      const literals: Record<string, unknown> = { true: true, false: false, nil: null };
      // Own keys only: `in` would take `toString` for Object.prototype's.
      const operand: Operand = Object.hasOwn(literals, word)
        ? { kind: "literal", value: literals[word] }
        : { kind: "function", name: word };
      tokens.push({ kind: "operand", operand });
    } else if (punct !== undefined) tokens.push({ kind: "punct", text: punct });
  }
  return tokens;
}

/** Parses `text` as a pipeline; `isFunction` rejects unknown names, as Go does at parse time. */
function parsePipeline(
  text: string,
  where: string,
  isFunction: (name: string) => boolean,
): Pipeline {
  const tokens = lexExpression(text, where);
  const declare: string[] = [];
  const assign = tokens.findIndex((t) => t.kind === "punct" && t.text === ":=");
  if (assign >= 0) {
    for (const token of tokens.slice(0, assign))
      if (token.kind === "variable") declare.push(token.name);
    tokens.splice(0, assign + 1);
  }
  let pos = 0;
  const pipeline = (nested: boolean): Pipeline => {
    const commands: Operand[][] = [[]];
    let closed = false;
    while (pos < tokens.length && !closed) {
      const token = tokens[pos++] as ExpressionToken;
      if (token.kind === "variable") continue;
      if (token.kind === "operand") {
        if (token.operand.kind === "function" && !isFunction(token.operand.name))
          throw new Error(`${where}: function "${token.operand.name}" not defined`);
        commands.at(-1)?.push(token.operand);
      } else if (token.text === "|") commands.push([]);
      else if (token.text === "(")
        commands.at(-1)?.push({ kind: "pipeline", pipeline: pipeline(true) });
      else if (token.text === ")" && nested) closed = true;
      else throw new Error(`${where}: unexpected "${token.text}" in "${text}"`);
    }
    if (nested && !closed) throw new Error(`${where}: unclosed "(" in "${text}"`);
    if (commands.some((command) => command.length === 0))
      throw new Error(`${where}: empty command in "${text}"`);
    return { declare: [], commands };
  };
  return { ...pipeline(false), declare };
}

/** Parses one template file; `{{ define }}` blocks go to `defines`, the rest to `nodes`. */
export function parseTemplate(
  source: string,
  file: string,
  isFunction: (name: string) => boolean,
): ParsedTemplate {
  const tokens = lex(source, file);
  const defines = new Map<string, Node[]>();
  let pos = 0;

  // Parses nodes up to an {{ else }} or {{ end }}, which is returned (not consumed) to the caller.
  const list = (): { nodes: Node[]; stop: { keyword: string; rest: string; line: number } } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const token = tokens[pos++] as Token;
      if (token.kind === "text") {
        if (token.text) nodes.push({ kind: "text", text: token.text });
        continue;
      }
      const where = `${file}:${token.line}`;
      const keyword = /^\S*/.exec(token.body)?.[0] ?? "";
      const rest = token.body.slice(keyword.length).trim();
      if (keyword === "end" || keyword === "else")
        return { nodes, stop: { keyword, rest, line: token.line } };
      if (keyword === "if" || keyword === "with" || keyword === "range")
        nodes.push(block(keyword, parsePipeline(rest, where, isFunction), where));
      else if (keyword === "define") {
        const name = JSON.parse(rest) as string;
        const body = list();
        if (body.stop.keyword !== "end") throw new Error(`${where}: {{ else }} in define`);
        defines.set(name, body.nodes);
      } else if (["template", "block", "break", "continue"].includes(keyword))
        throw new Error(`${where}: {{ ${keyword} }} is not supported here; use include`);
      else nodes.push({ kind: "output", pipeline: parsePipeline(token.body, where, isFunction) });
    }
    return { nodes, stop: { keyword: "eof", rest: "", line: 0 } };
  };

  const block = (kind: "if" | "with" | "range", pipeline: Pipeline, where: string): Node => {
    const body = list();
    let otherwise: Node[] = [];
    if (body.stop.keyword === "else" && kind === "if" && body.stop.rest.startsWith("if ")) {
      // `else if` shares the chain's single {{ end }}, which the nested block consumes.
      const nested = `${file}:${body.stop.line}`;
      otherwise = [block("if", parsePipeline(body.stop.rest.slice(3), nested, isFunction), nested)];
    } else if (body.stop.keyword === "else") {
      if (body.stop.rest) throw new Error(`${where}: "else ${body.stop.rest}" is not supported`);
      const rest = list();
      if (rest.stop.keyword !== "end")
        throw new Error(`${where}: missing {{ end }} for {{ ${kind} }}`);
      otherwise = rest.nodes;
    } else if (body.stop.keyword !== "end")
      throw new Error(`${where}: missing {{ end }} for {{ ${kind} }}`);
    return { kind, pipeline, body: body.nodes, otherwise };
  };

  const top = list();
  if (top.stop.keyword !== "eof")
    throw new Error(`${file}:${top.stop.line}: unexpected {{ ${top.stop.keyword} }}`);
  return { nodes: top.nodes, defines };
}
