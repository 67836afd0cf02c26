import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, envValue, parseEnv } from "./env-config.ts";

const shape = {
  TIDINGS_PORT: envValue.port(8090),
  TIDINGS_FLAG: envValue.bool(false),
  TIDINGS_DATABASE_URL: envValue.url(["postgres:", "postgresql:"]),
  TIDINGS_TOKENS: envValue.list(),
  TIDINGS_NAME: z.string().optional(),
};

describe("parseEnv", () => {
  it("applies defaults and treats empty strings as unset", () => {
    const { values, unknown } = parseEnv(shape, { TIDINGS_PORT: "", TIDINGS_NAME: "" });
    expect(values).toEqual({ TIDINGS_PORT: 8090, TIDINGS_FLAG: false });
    expect(unknown).toEqual([]);
  });

  it("parses typed values", () => {
    const { values } = parseEnv(shape, {
      TIDINGS_PORT: "0",
      TIDINGS_FLAG: "yes",
      TIDINGS_DATABASE_URL: "postgresql://u@h/db",
      TIDINGS_TOKENS: " a, ,b ",
    });
    expect(values).toMatchObject({
      TIDINGS_PORT: 0,
      TIDINGS_FLAG: true,
      TIDINGS_TOKENS: ["a", "b"],
    });
  });

  it("names every bad variable in one error", () => {
    const read = () =>
      parseEnv(shape, {
        TIDINGS_PORT: "70000",
        TIDINGS_FLAG: "maybe",
        TIDINGS_DATABASE_URL: "mysql://x",
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      /TIDINGS_PORT[\s\S]*TIDINGS_FLAG[\s\S]*TIDINGS_DATABASE_URL: expected a URL starting with postgres:\/\//,
    );
  });

  it("reports unknown TIDINGS_ variables and ignores others", () => {
    const { unknown } = parseEnv(shape, { TIDINGS_PROT: "1", HOME: "/root" });
    expect(unknown).toEqual(["TIDINGS_PROT"]);
  });
});
