import { useState } from "preact/hooks";
import type { Session } from "../session.ts";
import { ErrorNote, useAction } from "../ui.tsx";

/** The API's largest batch. */
const MAX_BATCH = 5_000;

/** `email` or `email, name` per line; blank lines are skipped. */
function parseLines(text: string): { email: string; name?: string }[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const [email = "", ...name] = line.split(",");
      const rest = name.join(",").trim();
      return rest ? { email: email.trim(), name: rest } : { email: email.trim() };
    });
}

/** Creates many users at once, all or none, through the bulk API. */
export function BulkUsers(props: { session: Session; onDone: () => void }) {
  const [text, setText] = useState("");
  const [password, setPassword] = useState("");
  const action = useAction();
  const users = parseLines(text);
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      await props.session.api.call("POST", "/api/users/bulk", {
        users: users.map((user) => ({ ...user, ...(password && { password }) })),
      });
      props.onDone();
    });
  };
  return (
    <form class="editor" onSubmit={submit} aria-label="Create many users">
      <label>
        One user per line: <code>email</code> or <code>email, name</code>
        <textarea
          name="lines"
          rows={6}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <label>
        Password for all (optional; without one they sign in only with issued tokens)
        <input
          name="bulk-password"
          type="password"
          autocomplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <ErrorNote error={action.error} />
      <div class="buttons">
        <button
          type="submit"
          class="primary"
          disabled={action.busy || users.length === 0 || users.length > MAX_BATCH}
        >
          Create {users.length} user{users.length === 1 ? "" : "s"}
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
