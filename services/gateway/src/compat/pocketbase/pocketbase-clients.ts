import { newId } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import type { CompatDeps } from "../compat-session.ts";
import { PocketBaseClient } from "./pocketbase-client.ts";
import type { SseStreamOptions } from "./sse-stream.ts";

/** Length of a client id: PocketBase's ids are 40 random characters. */
const CLIENT_ID_LENGTH = 40;

/** The PocketBase realtime clients whose streams this node holds. */
export class PocketBaseClients {
  readonly #deps: CompatDeps;
  readonly #stream: SseStreamOptions;
  readonly #clients = new Map<string, PocketBaseClient>();
  #draining = false;

  constructor(deps: CompatDeps, stream: SseStreamOptions) {
    this.#deps = deps;
    this.#stream = stream;
  }

  /** A client whose stream is open on this node. */
  get(id: string): PocketBaseClient | undefined {
    return this.#clients.get(id);
  }

  /**
   * A new client with a fresh id, registered (`UNAVAILABLE` while the node drains); the caller
   * attaches its stream.
   */
  async connect(ip: string): Promise<PocketBaseClient> {
    if (this.#draining)
      throw new TidingsError("UNAVAILABLE", "This node is shutting down; connect to another.");
    const id = newId(CLIENT_ID_LENGTH);
    const client = new PocketBaseClient(this.#deps, { id, ip, stream: this.#stream }, () =>
      this.#clients.delete(id),
    );
    await client.open();
    this.#clients.set(id, client);
    return client;
  }

  /** Closes every stream (the SDK reconnects at once, to another node) and refuses new ones. */
  async drain(): Promise<void> {
    this.#draining = true;
    await Promise.all([...this.#clients.values()].map((client) => client.close()));
  }
}
