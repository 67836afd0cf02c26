import { ConfigError, parseEnv } from "@tidings/service";
import { describe, expect, it } from "vitest";
import { pusherEnv, pusherSettingsFrom } from "./pusher-env.ts";

const settings = (env: Record<string, string>) =>
  pusherSettingsFrom(parseEnv(pusherEnv, env).values);
const secret = "s".repeat(16);

describe("pusher settings", () => {
  it("TIDINGS_PUSHER_APPS - reads key:secret pairs; unset turns the protocol off", () => {
    const { apps } = settings({ TIDINGS_PUSHER_APPS: `a:${secret}, b.2:${secret}:x` });
    expect([...apps.values()]).toEqual([
      { key: "a", secret },
      { key: "b.2", secret: `${secret}:x` },
    ]);
    expect(settings({}).apps.size).toBe(0);
    expect(settings({}).activityTimeoutSeconds).toBe(30);
  });

  it("TIDINGS_PUSHER_APPS - refuses malformed pairs, short secrets and repeated keys without echoing secrets", () => {
    for (const value of [
      "nokey",
      `:${secret}`,
      "a:short",
      `a b:${secret}`,
      `a:${secret},a:${secret}`,
    ]) {
      expect(() => settings({ TIDINGS_PUSHER_APPS: value }), value).toThrow(ConfigError);
    }
    expect(() => settings({ TIDINGS_PUSHER_APPS: "a:hunter2" })).toThrow(/item 1/);
    expect(() => settings({ TIDINGS_PUSHER_APPS: "a:hunter2" })).not.toThrow(/hunter2/);
  });
});
