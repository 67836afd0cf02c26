import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { recordsEnv } from "./config.ts";

const docs = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");

describe("docs/configuration.md", () => {
  it("documents every variable the records service reads", () => {
    // Biome pads the table's cells, so any run of spaces separates them.
    for (const name of Object.keys(recordsEnv))
      expect(docs, name).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, "m"));
  });
});
