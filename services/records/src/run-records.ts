import { exitOnSignals } from "@tidings/service";
import type { Telemetry } from "@tidings/telemetry";
import { loadConfig } from "./config.ts";
import { startRecords } from "./start-records.ts";

/** A records replica's life after telemetry started: load config, build, listen, handle signals. */
export async function runRecords(telemetry: Telemetry): Promise<void> {
  const config = loadConfig();
  const records = await startRecords(config);
  await records.app.listen({ port: config.port, host: config.host });
  exitOnSignals(
    async () => {
      await records.stop();
      await telemetry.shutdown();
    },
    25_000,
    records.app.log,
  );
}
