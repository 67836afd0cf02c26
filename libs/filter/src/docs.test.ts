import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FILTER_ERROR_CODES } from "./errors.ts";
import { parseFilter } from "./parser.ts";

const docs = readFileSync(new URL("../../../docs/filter.md", import.meta.url), "utf8");

describe("docs/filter.md", () => {
  it("lists every error code with its status", () => {
    for (const [code, { status }] of Object.entries(FILTER_ERROR_CODES)) {
      expect(docs).toMatch(new RegExp(`\\| \`${code}\` +\\| ${status} +\\|`));
    }
  });

  it("shows the error the parser really gives", () => {
    expect(() => parseFilter("(title = 'ab'))")).toThrow('unexpected ")" at 14');
    expect(docs).toContain("`(title = 'ab'))`");
  });
});
