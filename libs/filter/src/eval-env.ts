import { type MacroName, macroValue } from "./dates.ts";
import type { AuthRecord, RequestData } from "./schema.ts";

/**
 * What a compiled predicate reads besides the record. One instance is reused across calls (and,
 * in the subscription index, across every group checked for one event), so macros are computed
 * once per distinct `nowMs`.
 */
export class EvalEnv {
  auth: AuthRecord = null;
  context = "default";
  request: RequestData | undefined = undefined;
  private currentMs = Number.NaN;
  private readonly macros = new Map<MacroName, string | number>();

  /** Sets the clock; cached macro values are dropped when it moves. */
  setNow(nowMs: number): void {
    if (nowMs !== this.currentMs) {
      this.currentMs = nowMs;
      this.macros.clear();
    }
  }

  /**
   * The write request, which only create, update and delete rules read: judging one without it
   * is a bug in the caller, never a request without a body.
   */
  requestData(): RequestData {
    if (this.request === undefined) throw new TypeError("this rule reads the request: pass it");
    return this.request;
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
