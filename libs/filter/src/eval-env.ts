import { type MacroName, macroValue } from "./dates.ts";
import type { AuthRecord } from "./schema.ts";

/**
 * What a compiled predicate reads besides the record. One instance is reused across calls (and,
 * in the subscription index, across every group checked for one event), so macros are computed
 * once per distinct `nowMs`.
 */
export class EvalEnv {
  auth: AuthRecord = null;
  context = "default";
  private currentMs = Number.NaN;
  private readonly macros = new Map<MacroName, string | number>();

  /** Sets the clock; cached macro values are dropped when it moves. */
  setNow(nowMs: number): void {
    if (nowMs !== this.currentMs) {
      this.currentMs = nowMs;
      this.macros.clear();
    }
  }

  /** The value of a macro at the current clock. */
  macro(name: MacroName): string | number {
    let value = this.macros.get(name);
    if (value === undefined) {
      value = macroValue(name, this.currentMs);
      this.macros.set(name, value);
    }
    return value;
  }
}
