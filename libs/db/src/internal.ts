export { connectPgRunner } from "./pg-runner.ts";
export { pgliteRunner } from "./pglite-runner.ts";
