import { startTelemetry } from "@tidings/telemetry";

// Entry point of a records replica. Telemetry starts first and the rest loads after it: the
// instrumentations of http and pg only see modules imported once they are in place.
const telemetry = await startTelemetry("records");
const { runRecords } = await import("./run-records.ts");
await runRecords(telemetry);
