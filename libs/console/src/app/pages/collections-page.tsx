import { useState } from "preact/hooks";
import type { Page } from "../api.ts";
import type { Collection } from "../collection-types.ts";
import { href } from "../router.ts";
import type { Session } from "../session.ts";
import { ErrorNote, Panel, useLoad } from "../ui.tsx";
import { CollectionEditor } from "./collection-editor.tsx";

/** The route of a collection not yet saved; "+" cannot start a collection name. */
const NEW = "+new";

/** Collections: the list, and the editor of the one chosen (or of a new one, `#/collections/new`). */
export function CollectionsPage({ session, editing }: { session: Session; editing?: string }) {
  const [saved, setSaved] = useState<string>();
  const list = useLoad(
    () => session.api.get<Page<Collection>>("/api/collections?perPage=1000"),
    [session],
  );
  return (
    <div class="split">
      <Panel
        title="Collections"
        actions={
          <a class="button primary" href={href("collections", NEW)}>
            New collection
          </a>
        }
      >
        <ErrorNote error={list.error} />
        <ul class="list" aria-label="Collections">
          {list.value?.items.map((collection) => (
            <li key={collection.name}>
              <a
                href={href("collections", collection.name)}
                aria-current={editing === collection.name ? "page" : undefined}
              >
                {collection.name}
              </a>
              <span class="muted">
                {collection.type} · {collection.fields.length} fields
              </span>
            </li>
          ))}
          {list.value?.items.length === 0 && <li class="muted">No collections yet.</li>}
        </ul>
      </Panel>
      {editing ? (
        <CollectionEditor
          key={editing}
          session={session}
          name={editing === NEW ? undefined : editing}
          saved={saved !== undefined && saved === editing}
          onSaved={(name) => {
            setSaved(name);
            list.reload();
          }}
          onEdited={() => setSaved(undefined)}
        />
      ) : (
        <Panel title="Choose a collection">
          <p class="muted">Pick a collection to edit its fields and rules, or create one.</p>
        </Panel>
      )}
    </div>
  );
}
