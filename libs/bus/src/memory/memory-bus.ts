import { type BusDeps, createTransportBus } from "../bus.ts";
import type { BusConfig } from "../config.ts";
import type { Bus } from "../types.ts";
import { MemoryBroker } from "./memory-broker.ts";
import { MemoryTransport } from "./memory-transport.ts";

/** Dependencies of an in-process bus. */
export interface MemoryBusDeps extends BusDeps {
  /**
   * The in-process "server" to connect to; buses on the same broker share streams and
   * consumers, like processes on one NATS server. @default a broker of its own
   */
  broker?: MemoryBroker;
}

/**
 * A bus held in this process, for single-node mode and for multi-replica tests in one process.
 * It has the JetStream bus's semantics: sequences, de-duplication, retention, partition leases,
 * ack wait, redelivery with delay, parking; it only keeps nothing across restarts.
 */
export function createMemoryBus(config: BusConfig = {}, deps: MemoryBusDeps = {}): Bus {
  return createTransportBus(new MemoryTransport(deps.broker ?? new MemoryBroker()), config, deps);
}
