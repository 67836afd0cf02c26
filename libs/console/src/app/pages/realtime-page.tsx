import type { Change } from "@tidings/client";
import { useEffect, useState } from "preact/hooks";
import type { Page } from "../api.ts";
import type { Collection } from "../collection-types.ts";
import { useRealtime } from "../live.ts";
import type { Session } from "../session.ts";
import { ErrorNote, Panel, TableHead, useAction, useLoad, when } from "../ui.tsx";
import { type Chosen, UserPicker } from "../user-picker.tsx";
import { ConnectedClients } from "./connected-clients.tsx";

/** How long a watch token lasts: a look at a feed, not a session. */
const WATCH_TOKEN_SECONDS = 3_600;
/** Most changes the log keeps. */
const LOG_SIZE = 200;

interface Watch {
  collection: string;
  user: Chosen;
  filter: string;
  /** The user's token (impersonated), or null for an anonymous client. */
  token: string | null;
}

/** Realtime: watch a collection as a chosen user would, and the clients connected per gateway. */
export function RealtimePage({ session }: { session: Session }) {
  const collections = useLoad(
    () => session.api.get<Page<Collection>>("/api/collections?perPage=1000"),
    [session],
  );
  const [collection, setCollection] = useState("");
  const [user, setUser] = useState<Chosen | undefined>();
  const [filter, setFilter] = useState("");
  const [watch, setWatch] = useState<Watch | undefined>();
  const start = useAction();
  const begin = (event: Event) => {
    event.preventDefault();
    void start.run(async () => {
      if (user === undefined) throw new Error("Choose a user (or an anonymous client) first.");
      const token = user
        ? (
            await session.api.call<{ token: string }>(
              "POST",
              `/api/collections/users/impersonate/${encodeURIComponent(user.id)}`,
              { duration: WATCH_TOKEN_SECONDS },
            )
          ).token
        : null;
      setWatch({ collection, user, filter, token });
    });
  };
  return (
    <div class="stack">
      <Panel title="Watch a collection as a user">
        <form class="row" onSubmit={begin}>
          <label>
            Collection
            <select
              name="watch-collection"
              required
              value={collection}
              onChange={(e) => setCollection(e.currentTarget.value)}
            >
              <option value="" disabled>
                Choose…
              </option>
              {collections.value?.items
                .filter((c) => c.realtime)
                .map((c) => (
                  <option key={c.name}>{c.name}</option>
                ))}
            </select>
          </label>
          <UserPicker session={session} value={user} onChange={setUser} />
          <label>
            Filter (optional)
            <input
              name="watch-filter"
              spellcheck={false}
              value={filter}
              onInput={(e) => setFilter(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="primary" disabled={start.busy}>
            Watch
          </button>
          {watch && (
            <button type="button" onClick={() => setWatch(undefined)}>
              Stop
            </button>
          )}
        </form>
        <ErrorNote error={start.error ?? collections.error} />
        {watch && <WatchLog key={JSON.stringify(watch)} watch={watch} />}
      </Panel>
      <ConnectedClients session={session} refreshKey={watch} />
    </div>
  );
}

/** The changes one watch receives, newest first. */
function WatchLog({ watch }: { watch: Watch }) {
  const client = useRealtime(watch.token);
  const [state, setState] = useState("connecting");
  const [error, setError] = useState<unknown>();
  const [changes, setChanges] = useState<Change[]>([]);
  useEffect(() => {
    if (!client) return;
    const stopState = client.on("state", setState);
    const subscription = client
      .collection(watch.collection)
      .subscribe(
        "*",
        (change) => setChanges((previous) => [change, ...previous].slice(0, LOG_SIZE)),
        watch.filter.trim() ? { filter: watch.filter } : {},
      );
    subscription.then(
      () => setState("watching"),
      (refused) => setError(refused),
    );
    return () => {
      stopState();
      void subscription.then((s) => s.unsubscribe()).catch(() => {});
    };
  }, [client, watch]);
  const who = watch.user ? watch.user.email : "an anonymous client";
  return (
    <section class="watch" aria-label="Watched changes">
      <p role="status">
        <span class="live" data-state={state}>
          {state}
        </span>{" "}
        {watch.collection} as {who}
        {watch.filter ? ` where ${watch.filter}` : ""}
      </p>
      <ErrorNote error={error} />
      <table class="records">
        <TableHead columns={["seq", "action", "record", "at", "content"]} />
        <tbody>
          {changes.map((change) => (
            <tr key={`${change.seq}:${change.action}`} data-action={change.action}>
              <td>{change.seq}</td>
              <td>
                <span class={`action ${change.action}`}>{change.action}</span>
              </td>
              <td class="mono">{String(change.record.id)}</td>
              <td>{when(change.at)}</td>
              <td class="mono clip">
                {change.action === "left" ? "" : JSON.stringify(change.record)}
              </td>
            </tr>
          ))}
          {changes.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">
                No changes yet: write to the collection and they appear here as {who} gets them.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
