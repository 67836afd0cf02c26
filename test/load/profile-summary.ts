// Reads CPU profiles written by `npm run bench -- --cpu-prof DIR` and prints where each process's
// busy time went: self time grouped by package (node_modules), by Node's own modules, by our
// workspace packages, and by native work (socket writes, GC, …). Idle time is left out.
//
//   npx tsx --conditions=@tidings/source test/load/profile-summary.ts DIR/records-*.cpuprofile [--top 15]
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// What a frame belongs to: an npm package, a Node module, a workspace package, or native work.
function ownerOf({ functionName, url }: ProfileNode["callFrame"]): string {
  const modules = url.split("node_modules/");
  if (modules.length > 1) {
    const parts = (modules.at(-1) as string).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
  }
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const workspace = /\/((?:libs|services|test|deploy)\/[^/]+)\//.exec(url);
  if (workspace) return workspace[1] as string;
  if (url !== "") return url;
  return functionName.startsWith("(") ? functionName : `(${functionName || "native"})`;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "15" } },
});
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const owners = new Map(profile.nodes.map((node) => [node.id, ownerOf(node.callFrame)]));
  const byOwner = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const owner = owners.get(id) as string;
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const idle = byOwner.get("(idle)") ?? 0;
  byOwner.delete("(idle)");
  const busy = [...byOwner.values()].reduce((sum, us) => sum + us, 0);
  const total = busy + idle;
  console.log(
    `${basename(file)}: busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s`,
  );
  for (const [owner, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
    console.log(`  ${((us / busy) * 100).toFixed(1).padStart(5)} %  ${owner}`);
}
