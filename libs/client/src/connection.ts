import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { Emitter, type EventMap } from "./emitter.ts";
import { errorFromBody, TidingsError } from "./errors.ts";
import { TokenSource } from "./token-source.ts";
import { type CloseNotice, type ExpiringNotice, SERVER_EVENT } from "./wire.ts";

/** `connecting` until the server accepts, `open` while connected, `closed` when it will not retry. */
export type ConnectionState = "connecting" | "open" | "closed";

/** How the client connects. */
export interface ConnectionOptions {
  /** The token sent on every (re)connection as `auth: {token}`; none means anonymous. */
  token?: string;
  /** Supplies a fresh token when the server warns that the current one expires. */
  refreshToken?: () => Promise<string>;
  /** How long to wait for the server to acknowledge a message. @default 10000 */
  ackTimeoutMs?: number;
  /** Socket.IO client options (transports, reconnection delays, …); `auth` is the client's own. */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

/** Events of the connection; `open` marks each (re)connection of the underlying socket. */
export interface ConnectionEvents extends EventMap {
  state: [ConnectionState];
  open: [];
  error: [TidingsError];
  tokenExpiring: [ExpiringNotice];
  serverDisconnect: [CloseNotice];
}

/**
 * One Socket.IO connection that comes back by itself: after network failures (Socket.IO's own
 * reconnection), after the server said `reconnect: true`, and after a refused handshake that may
 * pass later. It stays closed after `close()`, and after an expired, refused or revoked token
 * until a new token is given.
 */
export class Connection extends Emitter<ConnectionEvents> {
  readonly socket: Socket;
  readonly #ackTimeoutMs: number;
  readonly #token: TokenSource;
  #state: ConnectionState = "connecting";
  #closedByApp = false;
  #notice: CloseNotice | undefined;
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Why the connection is closed, when it is. */
  closeReason: TidingsError | undefined;

  constructor(url: string, options: ConnectionOptions) {
    super();
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.#token = new TokenSource(options.token, options.refreshToken);
    this.socket = io(url, {
      path: "/socket.io",
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      ...options.socket,
      autoConnect: false,
      auth: (send) => send(this.#token.current ? { token: this.#token.current } : {}),
    });
    this.#listen();
    this.socket.connect();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Resolves once connected; rejects if the connection closes first. */
  whenOpen(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    if (this.closeReason) return Promise.reject(this.closeReason);
    return new Promise((resolve, reject) => {
      const offOpen = this.on("open", () => {
        offAll();
        resolve();
      });
      const offState = this.on("state", () => {
        if (!this.closeReason) return;
        offAll();
        reject(this.closeReason);
      });
      const offAll = () => {
        offOpen();
        offState();
      };
    });
  }

  /** Sends a message and resolves with its successful ack; rejects with a {@link TidingsError}. */
  async request<T>(event: string, payload: unknown): Promise<T> {
    if (!this.socket.connected)
      throw new TidingsError("UNAVAILABLE", "The client is not connected.");
    let ack: { ok?: boolean; error?: unknown } | undefined;
    try {
      ack = await this.socket.timeout(this.#ackTimeoutMs).emitWithAck(event, payload);
    } catch (cause) {
      throw new TidingsError("UNAVAILABLE", `The server did not answer "${event}".`, {}, { cause });
    }
    if (ack?.ok === true) return ack as T;
    throw errorFromBody(ack?.error);
  }

  /** Uses `token` from now on: sent with `auth` on an open connection, or used to connect again. */
  async setToken(token: string): Promise<void> {
    const previous = this.#token.current;
    this.#token.current = token;
    if (this.#closedByApp) return;
    if (!this.socket.connected) {
      if (!this.socket.active) this.#reconnect();
      return;
    }
    try {
      await this.request("auth", { token });
    } catch (error) {
      if (error instanceof TidingsError && error.code !== "UNAVAILABLE")
        this.#token.current = previous;
      throw error;
    }
  }

  /** Closes for good. */
  close(): void {
    this.#closedByApp = true;
    clearTimeout(this.#retryTimer);
    this.socket.disconnect();
    this.#closed(new TidingsError("UNAVAILABLE", "The client was closed."));
  }

  #listen(): void {
    const socket = this.socket;
    socket.on("connect", () => {
      this.#notice = undefined;
      this.#failures = 0;
      this.#token.accepted();
      this.closeReason = undefined;
      this.#setState("open");
      this.emit("open");
    });
    socket.on("disconnect", (reason) => {
      if (this.#closedByApp) return;
      if (reason !== "io server disconnect") return this.#connecting();
      const notice = this.#notice;
      if (notice?.reconnect) return this.#retrySoon();
      if (notice?.reason === "token_expired")
        return this.#tokenRefused(
          new TidingsError("UNAUTHORIZED", "The token expired.", { reason: notice.reason }),
        );
      // Revoked on purpose (signed out everywhere, password changed, account gone): no refresh
      // with it either; the application signs in again and calls setToken().
      if (notice?.reason === "token_revoked") {
        const revoked = new TidingsError("UNAUTHORIZED", "The token was revoked.", {
          reason: notice.reason,
        });
        this.emit("error", revoked);
        return this.#closed(revoked);
      }
      this.#closed(new TidingsError("UNAVAILABLE", "The server closed the connection."));
    });
    socket.on("connect_error", (error: Error & { data?: unknown }) => {
      if (this.#closedByApp) return;
      if (socket.active) {
        this.#connecting();
        this.emit("error", new TidingsError("UNAVAILABLE", error.message, {}, { cause: error }));
        return;
      }
      const refused = errorFromBody(error.data);
      if (refused.code === "UNAUTHORIZED") return this.#tokenRefused(refused);
      this.emit("error", refused);
      this.#retrySoon();
    });
    socket.on(SERVER_EVENT.closing, (notice: CloseNotice) => {
      this.#notice = notice;
      this.emit("serverDisconnect", notice);
    });
    socket.on(SERVER_EVENT.expiring, (notice: ExpiringNotice) => {
      this.emit("tokenExpiring", notice);
      if (this.#token.refreshable) void this.#refresh();
    });
    socket.on(SERVER_EVENT.error, (body: unknown) => this.emit("error", errorFromBody(body)));
  }

  /** Gets a fresh token from the application and uses it; false when that failed. */
  #refresh(): Promise<boolean> {
    return this.#token
      .fresh()
      .then((token) => this.setToken(token))
      .then(
        () => true,
        (cause: unknown) => {
          const error =
            cause instanceof TidingsError
              ? cause
              : new TidingsError("UNAUTHORIZED", "refreshToken failed.", {}, { cause });
          this.emit("error", error);
          return false;
        },
      );
  }

  // A refused or expired token: a refresh may fix it, otherwise wait for setToken().
  #tokenRefused(error: TidingsError): void {
    this.emit("error", error);
    if (!this.#token.mayRetry) {
      this.#closed(error);
      return;
    }
    this.#connecting();
    void this.#refresh().then((ok) => {
      if (!ok && !this.socket.connected) this.#closed(error);
    });
  }

  #retrySoon(): void {
    this.#connecting();
    const delay = Math.min(10_000, 250 * 2 ** this.#failures) * (0.5 + Math.random());
    this.#failures += 1;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (!this.#closedByApp && !this.socket.active) this.#reconnect();
    }, delay);
  }

  #reconnect(): void {
    clearTimeout(this.#retryTimer);
    this.#connecting();
    this.socket.connect();
  }

  #connecting(): void {
    this.closeReason = undefined;
    this.#setState("connecting");
  }

  #closed(reason: TidingsError): void {
    this.closeReason = reason;
    this.#setState("closed");
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit("state", state);
  }
}
