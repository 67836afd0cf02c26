import type { RecordsConfig } from "@tidings/records";

/** The start-up message: where the server listens, what it runs on, and the next step. */
export function banner(input: {
  address: string;
  config: RecordsConfig;
  grpcPort: number;
  needsSuperuser: boolean;
}): string {
  const { address, config } = input;
  const storage = "url" in config.database ? "PostgreSQL" : `PGlite in ${config.dataDir}`;
  const bus = config.bus.natsUrl ? `NATS JetStream at ${config.bus.natsUrl}` : "in-process";
  const lines = [
    "",
    `  Tidings is listening on ${address}`,
    `    REST API   ${address}/api/`,
    `    realtime   ${address}/socket.io/ (Socket.IO)`,
    `    publish    ${address}/internal/v1/publish, gRPC on port ${input.grpcPort}`,
    `    live view  ${address}/?collection=posts  (demo page; any collection name)`,
    `    console    ${address}/_/  (superusers: collections, records, users, cluster)`,
    `    health     ${address}/healthz  ${address}/readyz`,
    `    storage    ${storage}`,
    `    bus        ${bus}`,
    "",
  ];
  if (input.needsSuperuser) {
    lines.push(
      "  No superuser yet. Restart with one (it is created, or its password reset, at start-up):",
      "    TIDINGS_SUPERUSER_EMAIL=you@example.com TIDINGS_SUPERUSER_PASSWORD='a long password' npm start",
      "",
    );
  }
  return lines.join("\n");
}
