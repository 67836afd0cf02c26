import { exitOnSignals, loadNodeConfig, parseEnv } from "@tidings/service";
import type { Telemetry } from "@tidings/telemetry";
import { gatewayConfigFrom, gatewayEnv } from "./config.ts";
import { LISTEN_BACKLOG, startGateway } from "./start-gateway.ts";

/** A gateway node's life after telemetry started: load config, start, listen, handle signals. */
export async function runGateway(telemetry: Telemetry): Promise<void> {
  // The settings every node shares, and the gateway's own: a variable only records reads (say
  // TIDINGS_SUPERUSER_EMAIL) is reported as unknown here.
  const base = loadNodeConfig(process.env, gatewayEnv);
  const config = gatewayConfigFrom(parseEnv(gatewayEnv).values);
  const running = await startGateway(base, config);
  await running.app.listen({ port: base.port, host: base.host, backlog: LISTEN_BACKLOG });
  exitOnSignals(
    async () => {
      await running.stop();
      await telemetry.shutdown();
    },
    config.shutdownDeadlineMs + 10_000,
    running.app.log,
  );
}
