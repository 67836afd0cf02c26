/** An error answer of the REST API: `{status, code, message, data}` (docs/errors.md). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly data: Record<string, unknown>;

  constructor(status: number, code: string, message: string, data: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

/** A page of a list answer. */
export interface Page<T> {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: T[];
}

/** A user as the API shows it. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: "user" | "superuser";
  verified: boolean;
  disabled?: boolean;
  created: string;
  updated: string;
}

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/**
 * The REST API of the server that served the console, called with the signed-in superuser's token.
 * An answer of 401 signs out (`onUnauthorized`): the token expired or was revoked.
 */
export class Api {
  token: string | undefined;
  onUnauthorized: () => void = () => {};

  async call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(path, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (response.status === 204) return undefined as T;
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      if (response.status === 401 && this.token) this.onUnauthorized();
      throw new ApiError(
        response.status,
        String(answer.code ?? "UNKNOWN"),
        String(answer.message ?? response.statusText),
        answer.data ?? {},
      );
    }
    return answer as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }
}

/** `path?key=value&…`, leaving out empty values. */
export function withQuery(
  path: string,
  query: Record<string, string | number | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Readable text of any error, with the per-field details an API error carries. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const details = Object.entries(error.data)
    .map(([key, value]) => {
      const message = (value as { message?: unknown } | null)?.message;
      return typeof message === "string" ? `${key}: ${message}` : undefined;
    })
    .filter((line) => line !== undefined);
  return [`${error.message} (${error.code})`, ...details].join("\n");
}
