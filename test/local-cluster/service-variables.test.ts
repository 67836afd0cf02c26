import { SERVICE_VARIABLES, unreadVariables, variablesFor } from "@tidings/local-cluster";
import { describe, expect, it } from "vitest";

describe("npm run cluster's variables", () => {
  const env = {
    TIDINGS_LOG_LEVEL: "warn",
    TIDINGS_SUPERUSER_EMAIL: "admin@example.com",
    TIDINGS_EVALUATOR_BATCH_SIZE: "64",
    TIDINGS_MAX_CONNECTIONS_PER_USER: "5",
    TIDINGS_NO_SUCH_SETTING: "1",
    NODE_OPTIONS: "--expose-gc",
  };

  it("hands each service only the TIDINGS_* variables its schema reads, and Node's own", () => {
    expect(variablesFor("records", env)).toEqual({
      TIDINGS_LOG_LEVEL: "warn",
      TIDINGS_SUPERUSER_EMAIL: "admin@example.com",
      NODE_OPTIONS: "--expose-gc",
    });
    expect(variablesFor("evaluator", env)).toEqual({
      TIDINGS_LOG_LEVEL: "warn",
      TIDINGS_EVALUATOR_BATCH_SIZE: "64",
      NODE_OPTIONS: "--expose-gc",
    });
    expect(variablesFor("gateway", env)).toEqual({
      TIDINGS_LOG_LEVEL: "warn",
      TIDINGS_MAX_CONNECTIONS_PER_USER: "5",
      NODE_OPTIONS: "--expose-gc",
    });
  });

  it("names the variables no service reads", () => {
    expect(unreadVariables(env)).toEqual(["TIDINGS_NO_SUCH_SETTING"]);
    for (const variables of Object.values(SERVICE_VARIABLES))
      expect(variables.has("TIDINGS_PORT")).toBe(true);
  });
});
