import { startTelemetry } from "@tidings/telemetry";

// Entry point of an evaluator replica. Telemetry starts first and the rest loads after it: the
// instrumentations of pg and ioredis only see modules imported once they are in place.
const telemetry = await startTelemetry("evaluator");
const { runEvaluator } = await import("./run-evaluator.ts");
await runEvaluator(telemetry);
