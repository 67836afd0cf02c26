import { describeFuzz } from "./fuzz-suite.ts";
import { openRecordsFuzz } from "./records-fuzz.ts";

for (const backend of ["postgres", "pglite"] as const) {
  describeFuzz(`hostile input into the records service's routes and gRPC API on ${backend}`, () =>
    openRecordsFuzz(backend),
  );
}
