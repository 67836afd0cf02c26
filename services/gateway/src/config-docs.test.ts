import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gatewayEnv } from "./config.ts";

const docs = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");

describe("docs/configuration.md", () => {
  it("documents every variable a gateway reads", () => {
    for (const name of Object.keys(gatewayEnv))
      expect(docs, name).toMatch(new RegExp(`\\| \`${name}\` +\\|`));
  });
});
