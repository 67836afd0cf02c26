import { useId, useState } from "preact/hooks";
import { type Page, type User, withQuery } from "./api.ts";
import type { Session } from "./session.ts";
import { ErrorNote, useLoad } from "./ui.tsx";

/** The user chosen to judge or watch as; null is an anonymous client. */
export type Chosen = User | null;

/** Picks a user by email or name (or an anonymous client). */
export function UserPicker(props: {
  session: Session;
  value: Chosen | undefined;
  onChange: (user: Chosen) => void;
}) {
  const [search, setSearch] = useState("");
  const found = useLoad(
    () => props.session.api.get<Page<User>>(withQuery("/api/users", { search, perPage: 20 })),
    [props.session, search],
  );
  const options = found.value?.items ?? [];
  const selected = props.value === undefined ? "" : (props.value?.id ?? "anonymous");
  const id = useId();
  return (
    <div class="user-picker row">
      <div class="field">
        <label for={`${id}-search`}>Find a user</label>
        <input
          id={`${id}-search`}
          type="search"
          name="user-search"
          placeholder="email or name"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for={`${id}-user`}>User</label>
        <select
          id={`${id}-user`}
          name="user"
          value={selected}
          onChange={(e) => {
            const id = e.currentTarget.value;
            if (id === "anonymous") props.onChange(null);
            const user = options.find((option) => option.id === id);
            if (user) props.onChange(user);
          }}
        >
          <option value="" disabled>
            Choose…
          </option>
          <option value="anonymous">Anonymous client</option>
          {props.value && !options.some((o) => o.id === props.value?.id) && (
            <option value={props.value.id}>{props.value.email}</option>
          )}
          {options.map((user) => (
            <option key={user.id} value={user.id}>
              {user.email}
              {user.role === "superuser" ? " (superuser)" : ""}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={found.error} />
    </div>
  );
}
