import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript source (see SOURCE_EXEC_ARGV), not to dist/;
// the rest is Vite's default list for server code, which setting `conditions` replaces.
const conditions = ["@tidings/source", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@tidings/source"] } },
  test: {
    include: [
      "libs/*/src/**/*.test.ts",
      "services/*/src/**/*.test.ts",
      "apps/*/src/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "**/generated/**"],
    // Integration tests talk to real PostgreSQL, NATS and Redis; give them room on a shared 2-core box.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Most tests wait on PostgreSQL, NATS or Redis rather than on the CPU: run more files than cores.
    maxWorkers: 3,
    // Files share a worker's module cache: the code keeps no module-level state, and importing
    // Prisma, Fastify and Socket.IO afresh for every file costs more than the tests themselves.
    isolate: false,
    env: { TURBO_TELEMETRY_DISABLED: "1" },
  },
});
