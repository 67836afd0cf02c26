import { parser } from "@prometheus-io/lezer-promql";

/** What a PromQL expression refers to, read with Prometheus' own grammar (its web UI's parser). */
export interface PromqlRefs {
  /** Metric names of its selectors (`rate(x[5m])` → x). */
  metrics: string[];
  /** `__name__` matchers of selectors without a metric name: `{__name__=~"tidings_.+"}`. */
  nameMatchers: { op: string; value: string }[];
  /** Label names in matchers and in by/without/on/ignoring/group_* clauses, `__name__` excluded. */
  labels: string[];
  /** Where the grammar found no valid expression; empty when it parsed. */
  errors: string[];
}

const unquote = (literal: string): string =>
  literal.startsWith("`") ? literal.slice(1, -1) : (JSON.parse(literal) as string);

export function promqlRefs(expr: string): PromqlRefs {
  const refs: PromqlRefs = { metrics: [], nameMatchers: [], labels: [], errors: [] };
  const text = (from: number, to: number) => expr.slice(from, to);
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError)
        refs.errors.push(`at ${node.from}: "${text(node.from, node.to + 10)}"`);
      else if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector")
        refs.metrics.push(text(node.from, node.to));
      else if (node.name === "LabelName") {
        const name = text(node.from, node.to);
        const matcher = node.node.parent;
        if (name !== "__name__") refs.labels.push(name);
        else if (matcher) {
          const op = matcher.getChild("MatchOp");
          const value = matcher.getChild("StringLiteral");
          if (op && value)
            refs.nameMatchers.push({
              op: text(op.from, op.to),
              value: unquote(text(value.from, value.to)),
            });
        }
      }
    },
  });
  return refs;
}

/** Durations Grafana puts in place of its interval variables before it sends a query. */
const GRAFANA_INTERVALS: Record<string, string> = {
  $__rate_interval: "1m",
  $__interval: "15s",
  $__range: "1h",
};

/**
 * A dashboard query as Prometheus receives it: Grafana's interval variables become durations.
 * Template variables (`$namespace`) only occur inside label values, where they stay as text.
 */
export function fromGrafana(query: string): string {
  return query.replace(/\$__\w+/g, (name) => {
    const duration = GRAFANA_INTERVALS[name];
    if (!duration) throw new Error(`unknown Grafana variable ${name} in ${query}`);
    return duration;
  });
}

/** Prometheus' regex matchers are anchored at both ends. */
export function fullMatch(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(value);
}
