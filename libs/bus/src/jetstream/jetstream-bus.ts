import type { NodeConnectionOptions } from "@nats-io/transport-node";
import { type BusDeps, createTransportBus } from "../bus.ts";
import type { BusConfig } from "../config.ts";
import type { Bus } from "../types.ts";
import { type NatsSecurity, natsConnectionSettings } from "./jetstream-connection.ts";
import { JetStreamTransport } from "./jetstream-transport.ts";

/** Configuration of a bus on NATS JetStream. */
export interface JetStreamBusConfig extends BusConfig {
  /**
   * NATS server URL(s), e.g. `nats://127.0.0.1:4222`; `nats://user:password@host` and
   * `nats://token@host` carry credentials, `tls://` asks for TLS.
   */
  servers: string | string[];
  /** Creds file, nkey seed and TLS material (contents, read by the caller). */
  security?: NatsSecurity;
  /** Connection name shown in the server's monitoring. @default "tidings-bus" */
  name?: string;
  /** Time a JetStream API request may take. @default 5000 */
  apiTimeoutMs?: number;
  /**
   * Further nats.js connection options (credentials, TLS, reconnect timing). The bus reconnects
   * forever by default (`maxReconnectAttempts: -1`, `reconnectTimeWait: 500`).
   */
  connection?: Partial<NodeConnectionOptions>;
}

/**
 * A bus on NATS JetStream, with its own connection, opened by `start()` and drained by `stop()`.
 * Works with server 2.9 (no multi-filter consumers, priority groups or pause needed).
 */
export function createJetStreamBus(config: JetStreamBusConfig, deps: BusDeps = {}): Bus {
  const { servers, ...credentials } = natsConnectionSettings(config.servers, config.security);
  const transport = new JetStreamTransport({
    servers,
    name: config.name ?? "tidings-bus",
    apiTimeoutMs: config.apiTimeoutMs ?? 5_000,
    connection: { ...credentials, ...config.connection },
  });
  return createTransportBus(transport, config, deps);
}
