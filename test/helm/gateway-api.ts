import type { Manifest } from "./chart.ts";
import { ofKind } from "./kube.ts";

/** gateway.networking.k8s.io/v1 HTTPRoute, the parts the chart writes. */
export interface HTTPRoute extends Manifest {
  spec: {
    parentRefs: { name: string; namespace?: string; sectionName?: string }[];
    hostnames?: string[];
    rules: {
      matches?: { path?: { type: "Exact" | "PathPrefix" | "RegularExpression"; value: string } }[];
      backendRefs?: { name: string; port: number; kind?: string }[];
    }[];
  };
}

const elements = (path: string) => path.split("/").filter(Boolean);

function hostMatches(hostnames: string[] | undefined, host: string): boolean {
  if (!hostnames || hostnames.length === 0) return true;
  return hostnames.some((name) =>
    name.startsWith("*.") ? host.endsWith(name.slice(1)) && host !== name.slice(2) : name === host,
  );
}

/**
 * Where a Gateway sends a request, by the Gateway API's rules: of every match of the HTTPRoutes for
 * the host, an Exact path match wins, then the longest PathPrefix (which matches whole path
 * elements, a trailing "/" aside). Undefined: no match (404).
 */
export function routeHttpRoute(manifests: Manifest[], host: string, path: string) {
  const candidates = ofKind<HTTPRoute>(manifests, "HTTPRoute")
    .filter((route) => hostMatches(route.spec.hostnames, host))
    .flatMap((route) => route.spec.rules)
    .flatMap((rule) =>
      (rule.matches ?? [{ path: { type: "PathPrefix" as const, value: "/" } }]).map((match) => ({
        path: match.path ?? { type: "PathPrefix" as const, value: "/" },
        backends: rule.backendRefs ?? [],
      })),
    )
    .filter(({ path: match }) => {
      if (match.type === "Exact") return match.value === path;
      if (match.type !== "PathPrefix") throw new Error(`path match ${match.type}`);
      const prefix = elements(match.value);
      return prefix.every((element, i) => elements(path)[i] === element);
    })
    .sort(
      (a, b) =>
        Number(b.path.type === "Exact") - Number(a.path.type === "Exact") ||
        b.path.value.replace(/\/$/, "").length - a.path.value.replace(/\/$/, "").length,
    );
  const [backend, ...others] = candidates[0]?.backends ?? [];
  if (others.length > 0) throw new Error(`${path}: several backends`);
  return backend;
}
