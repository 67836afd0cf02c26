import { useState } from "preact/hooks";
import type { Page, User } from "../api.ts";
import { RecordTable } from "../record-cells.tsx";
import type { Session } from "../session.ts";
import { ErrorNote, Panel, useAction } from "../ui.tsx";
import { type Chosen, UserPicker } from "../user-picker.tsx";

type Preview = Page<Record<string, unknown>> & {
  user: User | null;
  access: "rule" | "superuser" | "superusers-only";
};

const ACCESS_TEXT: Record<Preview["access"], string> = {
  rule: "judged by the rule",
  superuser: "a superuser: rules do not apply",
  "superusers-only": "the rule is closed: only superusers may read",
};

/**
 * Which of the collection's current records a chosen user would read under the list or view
 * rule as it stands in the editor, before it is saved.
 */
export function TryAsUser(props: {
  session: Session;
  collection: string;
  listRule: string | null;
  viewRule: string | null;
}) {
  const [user, setUser] = useState<Chosen | undefined>();
  const [action, setAction] = useState<"listRule" | "viewRule">("listRule");
  const [preview, setPreview] = useState<Preview | undefined>();
  const run = useAction();
  const tryIt = () =>
    void run.run(async () => {
      if (user === undefined) throw new Error("Choose a user first.");
      setPreview(
        await props.session.api.call<Preview>("POST", "/api/admin/rules/preview", {
          collection: props.collection,
          rule: props[action],
          action,
          userId: user?.id ?? null,
          perPage: 50,
        }),
      );
    });
  const fields = preview?.items[0]
    ? Object.keys(preview.items[0]).filter(
        (key) => !["id", "collectionId", "collectionName", "created", "updated"].includes(key),
      )
    : [];
  return (
    <Panel title="Try as user">
      <div class="row">
        <UserPicker session={props.session} value={user} onChange={setUser} />
        <label>
          Rule
          <select
            name="try-rule"
            value={action}
            onChange={(e) => setAction(e.currentTarget.value as typeof action)}
          >
            <option value="listRule">listRule</option>
            <option value="viewRule">viewRule</option>
          </select>
        </label>
        <button type="button" onClick={tryIt} disabled={run.busy}>
          Try
        </button>
      </div>
      <ErrorNote error={run.error} />
      {preview && (
        <section class="preview" aria-label="Records the user would see">
          <p role="status">
            {preview.user ? preview.user.email : "An anonymous client"} would see{" "}
            <strong>{preview.totalItems}</strong> record{preview.totalItems === 1 ? "" : "s"} (
            {ACCESS_TEXT[preview.access]}).
          </p>
          <RecordTable records={preview.items} fields={fields} label="Preview" />
        </section>
      )}
    </Panel>
  );
}
