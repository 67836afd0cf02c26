import { describe, expect, it } from "vitest";
import { AttemptWindow } from "./attempt-window.ts";

describe("AttemptWindow", () => {
  it("refuses a key at its limit until the window from its first attempt has passed", () => {
    let now = 1_000_000;
    const window = new AttemptWindow(2, 60_000, "tries", () => now);
    window.count("a");
    now += 30_000;
    window.count("a");
    expect(() => window.check("a")).toThrow(/Too many tries; retry in 30 s/);
    expect(() => window.check("b")).not.toThrow();
    now += 30_000;
    expect(() => window.check("a")).not.toThrow();
  });

  it("forgets a key on request", () => {
    const window = new AttemptWindow(1, 60_000, "tries");
    window.count("a");
    expect(() => window.check("a")).toThrow();
    window.forget("a");
    expect(() => window.check("a")).not.toThrow();
  });
});
