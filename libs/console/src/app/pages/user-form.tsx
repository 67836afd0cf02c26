import { useState } from "preact/hooks";
import type { User } from "../api.ts";
import type { Session } from "../session.ts";
import { ErrorNote, useAction } from "../ui.tsx";

/** Creates a user, or edits one (a new password revokes their tokens, as the API does). */
export function UserForm(props: { session: Session; user: User | undefined; onDone: () => void }) {
  const { user } = props;
  const [email, setEmail] = useState(user?.email ?? "");
  const [name, setName] = useState(user?.name ?? "");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<User["role"]>(user?.role ?? "user");
  const [verified, setVerified] = useState(user?.verified ?? false);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      // An edit sends only what changed here, so it never undoes someone else's change.
      const entered = { email, name, role, verified };
      const changed = Object.fromEntries(
        Object.entries(entered).filter(([key, value]) => user?.[key as keyof User] !== value),
      );
      const body = { ...(user ? changed : entered), ...(password && { password }) };
      if (user)
        await props.session.api.call("PATCH", `/api/users/${encodeURIComponent(user.id)}`, body);
      else await props.session.api.call("POST", "/api/users", body);
      props.onDone();
    });
  };
  return (
    <form class="editor" onSubmit={submit} aria-label="User">
      <div class="row">
        <label>
          Email
          <input
            name="email"
            type="email"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label>
          Name
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {user ? "New password" : "Password"}
          <input
            name="password"
            type="password"
            autocomplete="new-password"
            placeholder={user ? "unchanged" : "none: sign-in by issued tokens only"}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <label>
          Role
          <select
            name="role"
            value={role}
            onChange={(e) => setRole(e.currentTarget.value as User["role"])}
          >
            <option value="user">user</option>
            <option value="superuser">superuser</option>
          </select>
        </label>
        <label class="inline">
          <input
            type="checkbox"
            name="verified"
            checked={verified}
            onChange={(e) => setVerified(e.currentTarget.checked)}
          />
          Verified
        </label>
      </div>
      <ErrorNote error={action.error} />
      <div class="buttons">
        <button type="submit" class="primary" disabled={action.busy}>
          {user ? "Save user" : "Create user"}
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
