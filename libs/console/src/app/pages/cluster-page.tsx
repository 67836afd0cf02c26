import type { ClusterView } from "@tidings/protocol";
import type { Session } from "../session.ts";
import { ErrorNote, Panel, TableHead, useInterval, useLoad, when } from "../ui.tsx";
import { DeadLetters } from "./dead-letters.tsx";

const REFRESH_MS = 2_000;

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const byTransport = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([transport, n]) => `${transport} ${n}`)
    .join(" · ") || "none";

/** The cluster as its processes report it, refreshed every two seconds. */
export function ClusterPage({ session }: { session: Session }) {
  const cluster = useLoad(() => session.api.get<ClusterView>("/api/admin/cluster"), [session]);
  useInterval(cluster.reload, REFRESH_MS);
  const c = cluster.value;
  return (
    <div class="stack">
      <ErrorNote error={cluster.error} />
      {c && (
        <>
          <section class="tiles" aria-label="Summary">
            <Tile label="Processes" value={c.processes.length} />
            <Tile
              label="Connections"
              value={c.gateways.reduce((n, g) => n + sum(g.connections), 0)}
            />
            <Tile label="Outbox backlog" value={c.outbox.backlog} />
            <Tile
              label="Oldest unsent"
              value={
                c.outbox.oldestAgeSeconds === null
                  ? "—"
                  : `${c.outbox.oldestAgeSeconds.toFixed(1)} s`
              }
            />
            <Tile
              label="Partitions unheld"
              value={`${c.partitions.unheld.length} of ${c.partitions.total}`}
            />
            {/* Null while the bus cannot say: the rest of the view still comes from the heartbeats. */}
            <Tile
              label="Dead letters"
              value={c.deadLetters?.count ?? "bus unavailable"}
              warn={(c.deadLetters?.count ?? 1) > 0}
            />
          </section>
          <Panel title="Gateways">
            <table class="records" aria-label="Gateways">
              <TableHead columns={["gateway", "connections", "by transport", "subscriptions"]} />
              <tbody>
                {c.gateways.map((g) => (
                  <tr key={g.id}>
                    <td class="mono">{g.id}</td>
                    <td>{sum(g.connections)}</td>
                    <td>{byTransport(g.connections)}</td>
                    <td>{byTransport(g.subscriptions)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>
          <Panel title="Evaluators">
            <table class="records" aria-label="Evaluators">
              <TableHead
                columns={["evaluator", "partitions held", "pending (lag)", "awaiting ack"]}
              />
              <tbody>
                {c.evaluators.map((e) => (
                  <tr key={e.id}>
                    <td class="mono">{e.id}</td>
                    <td>{e.partitions.map((p) => p.partition).join(", ") || "none"}</td>
                    <td>{e.partitions.reduce((n, p) => n + (p.pending ?? 0), 0)}</td>
                    <td>{e.partitions.reduce((n, p) => n + (p.ackPending ?? 0), 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>
          <Panel title="Processes">
            <table class="records" aria-label="Processes">
              <TableHead columns={["service", "id", "host", "pid", "started", "last seen"]} />
              <tbody>
                {c.processes.map((p) => (
                  <tr key={p.id}>
                    <td>{p.service}</td>
                    <td class="mono">{p.id}</td>
                    <td>{p.host}</td>
                    <td>{p.pid}</td>
                    <td>{when(p.startedAt)}</td>
                    <td>{when(p.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="muted">
              Reported {when(c.generatedAt)}; every process reports every few seconds.
            </p>
          </Panel>
        </>
      )}
      <DeadLetters session={session} />
    </div>
  );
}

function Tile(props: { label: string; value: string | number; warn?: boolean }) {
  return (
    <div class={props.warn ? "tile warn" : "tile"}>
      <span class="tile-value">{props.value}</span>
      <span class="tile-label">{props.label}</span>
    </div>
  );
}
