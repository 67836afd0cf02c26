import { loadConfig } from "@tidings/records";
import { exitOnSignals, parseEnv } from "@tidings/service";
import { gatewayConfigFrom, gatewayEnv } from "./config.ts";
import { LISTEN_BACKLOG, startGateway } from "./start-gateway.ts";

// Entry point of a gateway node: load config, start, listen, handle signals.
const base = loadConfig(process.env, gatewayEnv);
const config = gatewayConfigFrom(parseEnv(gatewayEnv).values);
const running = await startGateway(base, config);
await running.app.listen({ port: base.port, host: base.host, backlog: LISTEN_BACKLOG });
exitOnSignals(running.stop, config.shutdownDeadlineMs + 10_000, running.app.log);
