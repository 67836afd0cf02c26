import { exitOnSignals } from "@tidings/service";
import { loadConfig } from "./config.ts";
import { startRecords } from "./start-records.ts";

// Entry point of a records replica: load config, build, listen, handle signals.
const config = loadConfig();
const records = await startRecords(config);
await records.app.listen({ port: config.port, host: config.host });
exitOnSignals(records.stop, 25_000, records.app.log);
