import { exitOnSignals } from "@tidings/service";
import type { Telemetry } from "@tidings/telemetry";
import { loadEvaluatorConfig } from "./config.ts";
import { startEvaluator } from "./start-evaluator.ts";

/** An evaluator replica's life after telemetry started: load config, start, serve health, handle signals. */
export async function runEvaluator(telemetry: Telemetry): Promise<void> {
  const config = loadEvaluatorConfig();
  const running = await startEvaluator(config);
  await running.health.listen({ port: config.port, host: config.host });
  exitOnSignals(
    async () => {
      await running.stop();
      await telemetry.shutdown();
    },
    25_000,
    running.health.log,
  );
}
