import { useState } from "preact/hooks";
import { type Page, type User, withQuery } from "../api.ts";
import type { Session } from "../session.ts";
import { ErrorNote, Pager, Panel, TableHead, useAction, useLoad, when } from "../ui.tsx";
import { BulkUsers } from "./bulk-users.tsx";
import { UserForm } from "./user-form.tsx";

const PER_PAGE = 25;

/** Users: find, create (one or many), edit, disable, revoke tokens, delete. */
export function UsersPage({ session }: { session: Session }) {
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const [editing, setEditing] = useState<User | "new" | "bulk" | undefined>();
  const list = useLoad(
    () => session.api.get<Page<User>>(withQuery("/api/users", { page, perPage: PER_PAGE, search })),
    [session, page, search],
  );
  const action = useAction();
  const [notice, setNotice] = useState("");
  const act = (label: string, run: () => Promise<unknown>) =>
    void action.run(async () => {
      await run();
      setNotice(label);
      list.reload();
    });
  const base = (user: User) => `/api/users/${encodeURIComponent(user.id)}`;
  const done = () => {
    setEditing(undefined);
    list.reload();
  };
  return (
    <Panel
      title="Users"
      actions={
        <>
          <button type="button" class="primary" onClick={() => setEditing("new")}>
            New user
          </button>
          <button type="button" onClick={() => setEditing("bulk")}>
            Create many
          </button>
        </>
      }
    >
      <label>
        Search
        <input
          type="search"
          name="search"
          placeholder="email or name"
          value={search}
          onInput={(e) => {
            setPage(1);
            setSearch(e.currentTarget.value);
          }}
        />
      </label>
      {editing === "bulk" && <BulkUsers session={session} onDone={done} />}
      {editing && editing !== "bulk" && (
        <UserForm
          key={editing === "new" ? "new" : editing.id}
          session={session}
          user={editing === "new" ? undefined : editing}
          onDone={done}
        />
      )}
      <ErrorNote error={list.error ?? action.error} />
      {notice && (
        <p role="status" class="ok">
          {notice}
        </p>
      )}
      <table class="records" aria-label="Users">
        <TableHead columns={["email", "name", "role", "verified", "state", "created", ""]} />
        <tbody>
          {list.value?.items.map((user) => (
            <tr key={user.id} data-id={user.id}>
              <td>{user.email}</td>
              <td>{user.name}</td>
              <td>{user.role}</td>
              <td>{user.verified ? "yes" : "no"}</td>
              <td>{user.disabled ? "disabled" : "active"}</td>
              <td>{when(user.created)}</td>
              <td class="row-actions">
                <button type="button" onClick={() => setEditing(user)}>
                  Edit
                </button>
                <button
                  type="button"
                  onClick={() =>
                    act(user.disabled ? `Enabled ${user.email}.` : `Disabled ${user.email}.`, () =>
                      session.api.call("PATCH", base(user), { disabled: !user.disabled }),
                    )
                  }
                >
                  {user.disabled ? "Enable" : "Disable"}
                </button>
                <button
                  type="button"
                  onClick={() =>
                    act(`Every token of ${user.email} is revoked.`, () =>
                      session.api.call("POST", `${base(user)}/revoke`),
                    )
                  }
                >
                  Revoke tokens
                </button>
                <button
                  type="button"
                  class="danger"
                  onClick={() =>
                    confirm(`Delete ${user.email}?`) &&
                    act(`Deleted ${user.email}.`, () => session.api.call("DELETE", base(user)))
                  }
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager of={list.value} onPage={setPage} />
    </Panel>
  );
}
