// Prisma CLI configuration (used by `prisma generate`). Prisma 7 reads no .env file; the URL is
// only needed by commands that talk to a database, which this project runs through src/migrate.ts.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.TIDINGS_DATABASE_URL ?? "" },
});
