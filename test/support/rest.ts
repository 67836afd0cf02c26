/**
 * The REST API as tests call it, against any base URL: a node of the in-process cluster
 * (cluster.ts), the entry proxy of a process cluster (test/faults), or whichever replica a
 * workload picks (workload.ts).
 */

/** A JSON answer from the REST API. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
}

/** What a call sends besides its method and path; `token` becomes `Authorization: Bearer`. */
export interface CallOptions {
  token?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends one request to `baseUrl` + `path` and reads its JSON answer (undefined when empty). */
export async function callApi(
  baseUrl: string,
  method: string,
  path: string,
  { token, body, headers }: CallOptions = {},
): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates a collection with a superuser's `token` and returns it; throws when refused. */
export async function createCollection(
  baseUrl: string,
  token: string,
  definition: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answer = await callApi(baseUrl, "POST", "/api/collections", { token, body: definition });
  if (answer.status !== 201)
    throw new Error(`collection not created: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * Signs in through `path` (`/api/auth/login`, or `/api/auth/register` for a new user) and returns
 * the user's id and token; throws when refused. For clusters of processes: the in-process
 * cluster creates its users in its database instead, which is quicker.
 */
export async function signIn(
  baseUrl: string,
  path: "/api/auth/login" | "/api/auth/register",
  credentials: { email: string; password: string },
): Promise<{ id: string; token: string }> {
  const answer = await callApi(baseUrl, "POST", path, { body: credentials });
  if (answer.status >= 300) throw new Error(`${path}: ${JSON.stringify(answer.body)}`);
  return { id: answer.body.user.id, token: answer.body.token };
}
