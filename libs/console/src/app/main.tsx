import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ClusterPage } from "./pages/cluster-page.tsx";
import { CollectionsPage } from "./pages/collections-page.tsx";
import { RealtimePage } from "./pages/realtime-page.tsx";
import { RecordsPage } from "./pages/records-page.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import { UsersPage } from "./pages/users-page.tsx";
import { href, useRoute } from "./router.ts";
import { forgetSession, resumeSession, type Session } from "./session.ts";

const SECTIONS = [
  ["collections", "Collections"],
  ["records", "Records"],
  ["users", "Users"],
  ["realtime", "Realtime"],
  ["cluster", "Cluster"],
] as const;

function Section({ session, route }: { session: Session; route: string[] }) {
  const [section = "collections", ...rest] = route;
  switch (section) {
    case "records":
      return <RecordsPage session={session} collection={rest[0]} />;
    case "users":
      return <UsersPage session={session} />;
    case "realtime":
      return <RealtimePage session={session} />;
    case "cluster":
      return <ClusterPage session={session} />;
    default:
      return <CollectionsPage session={session} editing={rest[0]} />;
  }
}

function Console() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();
  useEffect(() => {
    void resumeSession().then((resumed) => setSession(resumed ?? null));
  }, []);
  const signOut = () => {
    forgetSession();
    setSession(null);
  };
  if (session === undefined) return <p class="loading">Loading the console…</p>;
  if (session === null) return <SignIn onSignedIn={setSession} />;
  session.api.onUnauthorized = signOut;
  const current = route[0] ?? "collections";
  return (
    <div class="shell">
      <nav class="sidebar" aria-label="Sections">
        <p class="brand">Tidings</p>
        {SECTIONS.map(([id, label]) => (
          <a key={id} href={href(id)} aria-current={current === id ? "page" : undefined}>
            {label}
          </a>
        ))}
        <div class="who">
          <span title={session.user.email}>{session.user.email}</span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </nav>
      <main class="content">
        <Section session={session} route={route} />
      </main>
    </div>
  );
}

render(<Console />, document.getElementById("console")!);
