import { startTelemetry } from "@tidings/telemetry";

// Entry point of a gateway node. Telemetry starts first and the rest loads after it: the
// instrumentations of http, pg and ioredis only see modules imported once they are in place.
const telemetry = await startTelemetry("gateway");
const { runGateway } = await import("./run-gateway.ts");
await runGateway(telemetry);
