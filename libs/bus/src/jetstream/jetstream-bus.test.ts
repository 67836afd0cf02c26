import { jetStreamApi, withNats } from "@tidings/testing";
import { describeBusBehaviour } from "../bus-suite.ts";
import type { BusHarness } from "../bus-suite-support.ts";
import type { Bus } from "../types.ts";
import { createJetStreamBus } from "./jetstream-bus.ts";

async function jetStreamHarness(): Promise<BusHarness> {
  const nats = await withNats();
  const buses: Bus[] = [];
  return {
    prefix: nats.prefix,
    async deleteConsumer(stream, consumer) {
      const [reply] = await jetStreamApi(nats.url, [
        { api: `CONSUMER.DELETE.${stream}.${consumer}` },
      ]);
      if (reply?.error) throw new Error(reply.error.description);
    },
    async bus(config = {}, logger) {
      const bus = createJetStreamBus(
        { servers: nats.url, prefix: nats.prefix, ...config },
        logger ? { logger } : {},
      );
      await bus.start();
      buses.push(bus);
      return bus;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(buses.map((bus) => bus.stop()));
      await nats.cleanup();
    },
  };
}

describeBusBehaviour("jetstream bus", jetStreamHarness);
