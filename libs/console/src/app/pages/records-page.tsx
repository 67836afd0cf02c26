import { useEffect, useState } from "preact/hooks";
import { type Page, withQuery } from "../api.ts";
import type { Collection } from "../collection-types.ts";
import { useRealtime } from "../live.ts";
import { RecordTable } from "../record-cells.tsx";
import { href, navigate } from "../router.ts";
import type { Session } from "../session.ts";
import { ErrorNote, Pager, Panel, useAction, useLoad } from "../ui.tsx";
import { RecordForm } from "./record-form.tsx";

type Row = Record<string, unknown>;
const PER_PAGE = 25;
/** How long a row changed by someone else stays marked. */
const FRESH_MS = 4_000;

/** Records of a collection: pick one, then page, filter, sort, edit, watched live. */
export function RecordsPage({ session, collection }: { session: Session; collection?: string }) {
  const collections = useLoad(
    () => session.api.get<Page<Collection>>("/api/collections?perPage=1000"),
    [session],
  );
  const base = collections.value?.items.filter((c) => c.type === "base") ?? [];
  const chosen = base.find((c) => c.name === collection);
  return (
    <div class="stack">
      <Panel title="Records">
        <label>
          Collection
          <select
            name="collection"
            value={collection ?? ""}
            onChange={(e) => navigate("records", e.currentTarget.value)}
          >
            <option value="" disabled>
              Choose…
            </option>
            {base.map((c) => (
              <option key={c.name}>{c.name}</option>
            ))}
          </select>
        </label>
        <ErrorNote error={collections.error} />
      </Panel>
      {chosen && <RecordsOf key={chosen.name} session={session} collection={chosen} />}
    </div>
  );
}

function RecordsOf({ session, collection }: { session: Session; collection: Collection }) {
  const [page, setPage] = useState(1);
  const [query, setQuery] = useState({ filter: "", sort: "" });
  const [draftQuery, setDraftQuery] = useState(query);
  const [editing, setEditing] = useState<Row | "new" | undefined>();
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [liveState, setLiveState] = useState("connecting");
  const path = `/api/collections/${encodeURIComponent(collection.name)}/records`;
  const list = useLoad(
    () => session.api.get<Page<Row>>(withQuery(path, { page, perPage: PER_PAGE, ...query })),
    [session, path, page, query],
  );
  const remove = useAction();

  // Someone else's write reloads the page shown and marks the row it touched.
  const client = useRealtime(session.token);
  const { reload } = list;
  useEffect(() => {
    if (!client) return;
    const stopState = client.on("state", (state) => setLiveState(state));
    let marked: ReturnType<typeof setTimeout> | undefined;
    const subscription = client.collection(collection.name).subscribe("*", (change) => {
      const id = String(change.record.id);
      setFresh((previous) => new Set(previous).add(id));
      clearTimeout(marked);
      marked = setTimeout(() => setFresh(new Set()), FRESH_MS);
      reload();
    });
    subscription.then(
      () => setLiveState("live"),
      () => setLiveState("not live"),
    );
    return () => {
      stopState();
      clearTimeout(marked);
      void subscription.then((s) => s.unsubscribe()).catch(() => {});
    };
  }, [client, collection.name, reload]);

  const fields = collection.fields.filter((f) => !f.hidden).map((f) => f.name);
  const save = async (body: Row) => {
    if (editing === "new") await session.api.call("POST", path, body);
    else if (editing)
      await session.api.call("PATCH", `${path}/${encodeURIComponent(String(editing.id))}`, body);
    setEditing(undefined);
    list.reload();
  };
  const del = (record: Row) => {
    if (!confirm(`Delete record ${record.id}?`)) return;
    void remove.run(async () => {
      await session.api.call("DELETE", `${path}/${encodeURIComponent(String(record.id))}`);
      list.reload();
    });
  };
  return (
    <Panel
      title={`${collection.name} records`}
      actions={
        <>
          <span class="live" data-state={liveState} role="status">
            {liveState}
          </span>
          <a href={href("collections", collection.name)}>Definition</a>
          <button type="button" class="primary" onClick={() => setEditing("new")}>
            New record
          </button>
        </>
      }
    >
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault();
          setPage(1);
          setQuery(draftQuery);
        }}
      >
        <label>
          Filter
          <input
            name="filter"
            spellcheck={false}
            placeholder="status = 'active'"
            value={draftQuery.filter}
            onInput={(e) => setDraftQuery({ ...draftQuery, filter: e.currentTarget.value })}
          />
        </label>
        <label>
          Sort
          <input
            name="sort"
            spellcheck={false}
            placeholder="-created"
            value={draftQuery.sort}
            onInput={(e) => setDraftQuery({ ...draftQuery, sort: e.currentTarget.value })}
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      <ErrorNote error={list.error ?? remove.error} />
      {editing && (
        <RecordForm
          key={editing === "new" ? "new" : String(editing.id)}
          fields={collection.fields}
          record={editing === "new" ? undefined : editing}
          onSubmit={save}
          onCancel={() => setEditing(undefined)}
        />
      )}
      <RecordTable
        label="Records"
        records={list.value?.items ?? []}
        fields={fields}
        highlight={fresh}
        actions={(record) => (
          <>
            <button type="button" onClick={() => setEditing(record)}>
              Edit
            </button>
            <button type="button" class="danger" onClick={() => del(record)}>
              Delete
            </button>
          </>
        )}
      />
      <Pager of={list.value} onPage={setPage} />
    </Panel>
  );
}
