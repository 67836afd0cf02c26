import { FUNCTIONS, printValue, truthy } from "./template-functions.ts";
import {
  type Block,
  type Node,
  type Operand,
  type Pipeline,
  parseTemplate,
} from "./template-syntax.ts";

/** Variables of one block; a block sees its parents' variables, as in Go. */
interface Scope {
  dot: unknown;
  vars: Map<string, unknown>;
  parent: Scope | undefined;
}

const child = (scope: Scope, dot = scope.dot): Scope => ({ dot, vars: new Map(), parent: scope });

function lookup(scope: Scope, name: string): unknown {
  for (let s: Scope | undefined = scope; s; s = s.parent)
    if (s.vars.has(name)) return s.vars.get(name);
  throw new Error(`undefined variable: ${name}`);
}

function field(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || current === undefined)
      throw new Error(`nil pointer evaluating interface {}.${key}`);
    if (typeof current !== "object" || Array.isArray(current))
      throw new Error(`can't evaluate field ${key} in type ${typeof current}`);
    current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

/**
 * Parsed template files sharing their `define`s, as Helm parses all of a chart's templates
 * together; each file is also a template named by its path.
 */
export class TemplateSet {
  readonly #templates = new Map<string, Node[]>();
  #depth = 0;

  add(name: string, source: string): void {
    const parsed = parseTemplate(source, name, (fn) => Object.hasOwn(FUNCTIONS, fn));
    this.#templates.set(name, parsed.nodes);
    for (const [define, nodes] of parsed.defines) this.#templates.set(define, nodes);
  }

  /** Executes a template with `data` as both `.` and `$`. */
  render(name: string, data: unknown): string {
    const nodes = this.#templates.get(name);
    if (!nodes) throw new Error(`no template "${name}" associated with the chart`);
    if (++this.#depth > 100) throw new Error(`include of "${name}" nests too deep`);
    try {
      const scope: Scope = { dot: data, vars: new Map([["$", data]]), parent: undefined };
      return this.#execute(nodes, scope);
    } finally {
      this.#depth--;
    }
  }

  #execute(nodes: Node[], scope: Scope): string {
    let out = "";
    for (const node of nodes) {
      if (node.kind === "text") out += node.text;
      else if (node.kind === "output") {
        const value = this.#pipeline(node.pipeline, scope);
        if (node.pipeline.declare.length === 0) out += printValue(value);
      } else if (node.kind === "if") {
        const inner = child(scope);
        const value = this.#pipeline(node.pipeline, inner);
        out += this.#execute(truthy(value) ? node.body : node.otherwise, inner);
      } else if (node.kind === "with") {
        const value = this.#pipeline(node.pipeline, scope, false);
        out += truthy(value)
          ? this.#execute(node.body, child(scope, value))
          : this.#execute(node.otherwise, child(scope));
      } else out += this.#range(node, scope);
    }
    return out;
  }

  #range(node: Block, scope: Scope): string {
    const value = this.#pipeline(node.pipeline, scope, false);
    let entries: [unknown, unknown][];
    if (value === null || value === undefined) entries = [];
    else if (Array.isArray(value)) entries = value.map((item, i) => [BigInt(i), item]);
    else if (typeof value === "object")
      // Go ranges over a map in key order.
      entries = Object.keys(value)
        .sort()
        .map((key) => [key, (value as Record<string, unknown>)[key]]);
    else throw new Error(`range can't iterate over ${String(value)}`);
    if (entries.length === 0) return this.#execute(node.otherwise, child(scope));
    const [first, second] = node.pipeline.declare;
    let out = "";
    for (const [key, item] of entries) {
      const inner = child(scope, item);
      if (first && second) inner.vars.set(first, key).set(second, item);
      else if (first) inner.vars.set(first, item);
      out += this.#execute(node.body, inner);
    }
    return out;
  }

  #pipeline(pipeline: Pipeline, scope: Scope, declare = true): unknown {
    let value: unknown;
    pipeline.commands.forEach((command, i) => {
      value = this.#command(command, scope, i === 0 ? [] : [value]);
    });
    if (declare) for (const name of pipeline.declare) scope.vars.set(name, value);
    return value;
  }

  #command(command: Operand[], scope: Scope, piped: unknown[]): unknown {
    const [head, ...rest] = command;
    if (head?.kind === "function") {
      const args = rest.map((operand) => this.#operand(operand, scope));
      return this.#call(head.name, [...args, ...piped]);
    }
    if (!head) throw new Error("empty command");
    const value = this.#operand(head, scope);
    // A field holding a function is a method, as Helm's `.Files.Get "name"`.
    if (typeof value === "function") {
      const args = rest.map((operand) => this.#operand(operand, scope));
      return (value as (...args: unknown[]) => unknown)(...args, ...piped);
    }
    if (rest.length > 0 || piped.length > 0)
      throw new Error("can't give an argument to a non-function");
    return value;
  }

  #operand(operand: Operand, scope: Scope): unknown {
    if (operand.kind === "literal") return operand.value;
    if (operand.kind === "function") return this.#call(operand.name, []);
    if (operand.kind === "pipeline") return this.#pipeline(operand.pipeline, scope, false);
    const base = operand.variable === undefined ? scope.dot : lookup(scope, operand.variable);
    return field(base, operand.path);
  }

  #call(name: string, args: unknown[]): unknown {
    const fn = FUNCTIONS[name];
    if (!fn) throw new Error(`function "${name}" not defined`);
    return fn((template, data) => this.render(template, data), ...args);
  }
}
