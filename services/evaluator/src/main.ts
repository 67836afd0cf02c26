import { exitOnSignals } from "@tidings/service";
import { loadEvaluatorConfig } from "./config.ts";
import { startEvaluator } from "./start-evaluator.ts";

// Entry point of an evaluator replica: load config, start, serve health, handle signals.
const config = loadEvaluatorConfig();
const running = await startEvaluator(config);
await running.health.listen({ port: config.port, host: config.host });
exitOnSignals(running.stop, 25_000, running.health.log);
