import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const sources = readdirSync(new URL(".", import.meta.url)).filter(
  (name) => name.endsWith(".ts") && !name.endsWith(".test.ts"),
);

describe("portability", () => {
  it("library sources import only socket.io-client, types, and each other (they run in browsers)", () => {
    for (const name of sources) {
      const text = readFileSync(new URL(name, import.meta.url), "utf8");
      for (const [, clause, from] of text.matchAll(
        /^(?:import|export)([^;]*?) from "([^"]+)";/gm,
      )) {
        const typeOnly = /^\s*type\s/.test(clause ?? "");
        const allowed = from?.startsWith("./") || from === "socket.io-client" || typeOnly;
        expect(allowed, `${name}: ${from}`).toBe(true);
      }
      expect(text, name).not.toMatch(/\b(process|Buffer|require)\b[.(]/);
    }
  });
});
