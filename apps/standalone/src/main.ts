import { loadConfig, needsSuperuser } from "@tidings/records";
import { exitOnSignals } from "@tidings/service";
import { banner } from "./banner.ts";
import { standaloneExtraEnv, startStandalone } from "./start-standalone.ts";

// `npm start`: the whole server in one process. With no TIDINGS_* variables it runs on embedded
// defaults (PGlite in ./.tidings, the in-process bus, the in-memory Socket.IO adapter): the same
// code as the cluster with other adapters behind it.
const config = loadConfig(process.env, standaloneExtraEnv);
const node = await startStandalone(config);
const { app, db, publish } = node.records;
const address = await app.listen({ port: config.port, host: config.host });
console.log(
  banner({ address, config, grpcPort: publish.grpcPort, needsSuperuser: await needsSuperuser(db) }),
);
exitOnSignals(node.stop, node.gatewayConfig.shutdownDeadlineMs + 10_000, app.log);
