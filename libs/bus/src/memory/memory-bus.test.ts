import { describeBusBehaviour } from "../bus-suite.ts";
import type { BusHarness } from "../bus-suite-support.ts";
import type { Bus } from "../types.ts";
import { MemoryBroker } from "./memory-broker.ts";
import { createMemoryBus } from "./memory-bus.ts";

async function memoryHarness(): Promise<BusHarness> {
  const broker = new MemoryBroker();
  const buses: Bus[] = [];
  return {
    prefix: "t",
    async deleteConsumer(stream, consumer) {
      broker.deleteConsumer(stream, consumer);
    },
    async bus(config = {}, logger) {
      const bus = createMemoryBus(
        { prefix: "t", ...config },
        { broker, ...(logger ? { logger } : {}) },
      );
      await bus.start();
      buses.push(bus);
      return bus;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(buses.map((bus) => bus.stop()));
      broker.close();
    },
  };
}

describeBusBehaviour("memory bus", memoryHarness);
