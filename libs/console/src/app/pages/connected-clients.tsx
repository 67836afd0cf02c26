import type { ClientsAnswer } from "@tidings/protocol";
import type { Session } from "../session.ts";
import { ErrorNote, Panel, TableHead, useInterval, useLoad, when } from "../ui.tsx";

const REFRESH_MS = 5_000;

/** The clients connected to each gateway and what they subscribe to, refreshed by itself. */
export function ConnectedClients(props: {
  session: Session;
  /** Changes when something worth showing at once happened (a watch started or stopped). */
  refreshKey: unknown;
}) {
  const { session } = props;
  const answer = useLoad(
    () => session.api.get<ClientsAnswer>("/api/admin/clients"),
    [session, props.refreshKey],
  );
  useInterval(answer.reload, REFRESH_MS);
  return (
    <Panel
      title="Connected clients"
      actions={
        <button type="button" onClick={answer.reload} disabled={answer.loading}>
          Refresh
        </button>
      }
    >
      <ErrorNote error={answer.error} />
      {answer.value?.missing.length ? (
        <p class="error">Gateways that did not answer: {answer.value.missing.join(", ")}</p>
      ) : null}
      {answer.value?.gateways.map((gateway) => (
        <div key={gateway.id} class="gateway">
          <h3>
            Gateway <span class="mono">{gateway.id}</span> · {gateway.clients.length} client
            {gateway.clients.length === 1 ? "" : "s"}
            {gateway.truncated ? " (first ones only)" : ""}
          </h3>
          <table class="records" aria-label={`Clients of ${gateway.id}`}>
            <TableHead columns={["client", "transport", "user", "connected", "subscriptions"]} />
            <tbody>
              {gateway.clients.map((client) => (
                <tr key={client.id}>
                  <td class="mono">{client.id}</td>
                  <td>{client.transport}</td>
                  <td class="mono">{client.userId ?? "anonymous"}</td>
                  <td>{when(client.connectedAt)}</td>
                  <td>
                    {client.subscriptions
                      .map(
                        (s) =>
                          `${s.collection}/${s.recordId ?? "*"}${s.filter ? ` where ${s.filter}` : ""}`,
                      )
                      .join("; ") || "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </Panel>
  );
}
