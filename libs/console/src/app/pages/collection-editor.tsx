import { useEffect, useState } from "preact/hooks";
import {
  blankCollection,
  type Collection,
  collectionBody,
  RULE_NAMES,
} from "../collection-types.ts";
import { href, navigate } from "../router.ts";
import type { Session } from "../session.ts";
import { ErrorNote, Panel, useAction, useLoad } from "../ui.tsx";
import { cleanField, FieldsEditor } from "./fields-editor.tsx";
import { RuleInput } from "./rule-input.tsx";
import { TryAsUser } from "./try-as-user.tsx";

/** Creates or edits one collection: name, type, fields, the five rules; deletes it. */
export function CollectionEditor(props: {
  session: Session;
  /** Absent for a new collection. */
  name: string | undefined;
  /** Whether the collection shown was just saved (the page keeps this across the new route). */
  saved: boolean;
  /** Saved (with the name it has now) or deleted (undefined). */
  onSaved: (name: string | undefined) => void;
  /** The draft changed after a save. */
  onEdited: () => void;
}) {
  const { session, name } = props;
  const stored = useLoad(
    () =>
      name
        ? session.api.get<Collection>(`/api/collections/${encodeURIComponent(name)}`)
        : Promise.resolve(blankCollection()),
    [session, name],
  );
  const [draft, setDraft] = useState<Collection | undefined>();
  useEffect(() => setDraft(stored.value), [stored.value]);
  const save = useAction();
  if (stored.error) return <ErrorNote error={stored.error} />;
  if (!draft) return <p class="loading">Loading…</p>;

  const change = (patch: Partial<Collection>) => {
    if (props.saved) props.onEdited();
    setDraft({ ...draft, ...patch });
  };
  const submit = (event: Event) => {
    event.preventDefault();
    void save.run(async () => {
      const body = { ...collectionBody(draft), fields: draft.fields.map(cleanField) };
      const answer = name
        ? await session.api.call<Collection>(
            "PATCH",
            `/api/collections/${encodeURIComponent(name)}`,
            body,
          )
        : await session.api.call<Collection>("POST", "/api/collections", body);
      props.onSaved(answer.name);
      if (answer.name !== name) navigate("collections", answer.name);
    });
  };
  const remove = () => {
    if (!name || !confirm(`Delete the collection "${name}" and all its records?`)) return;
    void save.run(async () => {
      await session.api.call("DELETE", `/api/collections/${encodeURIComponent(name)}`);
      props.onSaved(undefined);
      navigate("collections");
    });
  };

  return (
    <div class="stack">
      <Panel
        title={name ? `Collection ${name}` : "New collection"}
        actions={name && <a href={href("records", name)}>Records</a>}
      >
        <form onSubmit={submit} class="editor" aria-label="Collection">
          <div class="row">
            <label>
              Name
              <input
                name="name"
                required
                spellcheck={false}
                value={draft.name}
                onInput={(e) => change({ name: e.currentTarget.value })}
              />
            </label>
            <label>
              Type
              <select
                name="type"
                value={draft.type}
                disabled={name !== undefined}
                onChange={(e) => change({ type: e.currentTarget.value as Collection["type"] })}
              >
                <option value="base">base</option>
                <option value="external">external</option>
              </select>
            </label>
            <label class="inline">
              <input
                type="checkbox"
                name="realtime"
                checked={draft.realtime}
                onChange={(e) => change({ realtime: e.currentTarget.checked })}
              />
              Realtime
            </label>
          </div>
          <h3>Fields</h3>
          <FieldsEditor fields={draft.fields} onChange={(fields) => change({ fields })} />
          <h3>Rules</h3>
          <p class="hint">
            Filter expressions; <code>@request.auth.id</code> is the signed-in user. Empty lets
            anyone in, anonymous clients too.
          </p>
          {RULE_NAMES.map((rule) => (
            <RuleInput
              key={rule}
              session={session}
              name={rule}
              value={draft[rule]}
              fields={draft.fields.map(cleanField)}
              onChange={(value) => change({ [rule]: value })}
            />
          ))}
          <ErrorNote error={save.error} />
          <div class="buttons">
            <button type="submit" class="primary" disabled={save.busy}>
              {name ? "Save changes" : "Create collection"}
            </button>
            {name && (
              <button type="button" class="danger" onClick={remove} disabled={save.busy}>
                Delete collection
              </button>
            )}
            {props.saved && (
              <span role="status" class="ok">
                Saved.
              </span>
            )}
          </div>
        </form>
      </Panel>
      {name && draft.type === "base" && (
        <TryAsUser
          session={session}
          collection={name}
          listRule={draft.listRule}
          viewRule={draft.viewRule}
        />
      )}
    </div>
  );
}
