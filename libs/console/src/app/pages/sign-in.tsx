import { useState } from "preact/hooks";
import { type Session, signIn } from "../session.ts";
import { ErrorNote, useAction } from "../ui.tsx";

/** The superuser's sign-in, with the REST API's own login. */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => onSignedIn(await signIn(email, password)));
  };
  return (
    <main class="sign-in">
      <form onSubmit={submit} class="card">
        <h1>Tidings console</h1>
        <p class="hint">Sign in as a superuser.</p>
        <label>
          Email
          <input
            name="email"
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <ErrorNote error={action.error} />
        <button type="submit" class="primary" disabled={action.busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
