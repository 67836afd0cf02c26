import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, isErrorCode } from "./error-codes.ts";
import { TidingsError } from "./tidings-error.ts";

const docs = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");

describe("error codes", () => {
  it("every code is documented in docs/errors.md with its status", () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      // Biome pads the table's cells, so any run of spaces separates them.
      expect(docs, code).toMatch(new RegExp(`\\| \`${code}\` +\\| ${status} +\\|`));
    }
  });

  it("docs/errors.md lists no code that does not exist", () => {
    const documented = [...docs.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((m) => m[1]);
    expect(documented.filter((code) => !isErrorCode(code))).toEqual([]);
  });

  it("a TidingsError renders the wire shape with the table's status and message", () => {
    expect(new TidingsError("NOT_FOUND").toBody()).toEqual({
      status: 404,
      code: "NOT_FOUND",
      message: ERROR_CODES.NOT_FOUND.message,
      data: {},
    });
    const custom = new TidingsError("INVALID_FILTER", "bad at 3", { position: 3 });
    expect(custom.toBody()).toEqual({
      status: 400,
      code: "INVALID_FILTER",
      message: "bad at 3",
      data: { position: 3 },
    });
    expect(custom).toBeInstanceOf(Error);
    expect(custom.name).toBe("TidingsError");
  });
});
