import { startTelemetry } from "@tidings/telemetry";

// `npm start`: the whole server in one process. With no TIDINGS_* variables it runs on embedded
// defaults (PGlite in ./.tidings, the in-process bus, the in-memory Socket.IO adapter): the same
// code as the cluster with other adapters behind it. Telemetry starts first and the rest loads
// after it, so the instrumentations see the modules they hook.
const telemetry = await startTelemetry("standalone");
const { runStandalone } = await import("./run-standalone.ts");
await runStandalone(telemetry);
