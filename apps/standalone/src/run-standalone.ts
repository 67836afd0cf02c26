import { loadConfig, needsSuperuser } from "@tidings/records";
import { exitOnSignals } from "@tidings/service";
import type { Telemetry } from "@tidings/telemetry";
import { banner } from "./banner.ts";
import { standaloneExtraEnv, startStandalone } from "./start-standalone.ts";

/** `npm start`'s life after telemetry started: load config, start every part, listen, handle signals. */
export async function runStandalone(telemetry: Telemetry): Promise<void> {
  const config = loadConfig(process.env, standaloneExtraEnv);
  const node = await startStandalone(config);
  const { app, db, publish } = node.records;
  const address = await app.listen({ port: config.port, host: config.host });
  console.log(
    banner({
      address,
      config,
      grpcPort: publish.grpcPort,
      needsSuperuser: await needsSuperuser(db),
    }),
  );
  exitOnSignals(
    async () => {
      await node.stop();
      await telemetry.shutdown();
    },
    node.gatewayConfig.shutdownDeadlineMs + 10_000,
    app.log,
  );
}
