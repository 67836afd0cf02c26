import { Api, type User } from "./api.ts";

/** Where the token is kept: this tab only, gone when it closes, as the SDK keeps none on disk. */
const STORAGE_KEY = "tidings.console.auth";

/** The signed-in superuser and the API client carrying their token. */
export interface Session {
  api: Api;
  token: string;
  user: User;
}

/** The session this tab signed in with earlier, if any (checked again by the caller). */
export function storedSession(): { token: string; user: User } | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
    if (typeof saved?.token === "string" && typeof saved?.user?.id === "string") return saved;
  } catch {
    // a value this console did not write: ignored, and replaced at the next sign-in
  }
  return undefined;
}

export function keepSession(token: string, user: User): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token, user }));
}

export function forgetSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Signs in with the REST API's own login; only superusers may use the console. */
export async function signIn(email: string, password: string): Promise<Session> {
  const api = new Api();
  const { token, user } = await api.call<{ token: string; user: User }>("POST", "/api/auth/login", {
    email,
    password,
  });
  if (user.role !== "superuser")
    throw new Error("This account is not a superuser: the console is for superusers only.");
  api.token = token;
  keepSession(token, user);
  return { api, token, user };
}

/** Resumes a stored session when its token still works. */
export async function resumeSession(): Promise<Session | undefined> {
  const saved = storedSession();
  if (!saved) return undefined;
  const api = new Api();
  api.token = saved.token;
  try {
    const { user } = await api.get<{ user: User }>("/api/auth/me");
    if (user.role !== "superuser") throw new Error("not a superuser");
    return { api, token: saved.token, user };
  } catch {
    forgetSession();
    return undefined;
  }
}
