import { describe, expect, it } from "vitest";
import { telemetrySettings } from "./telemetry-settings.ts";

describe("telemetrySettings", () => {
  it("exports nothing and serves no /metrics when nothing is configured", () => {
    expect(telemetrySettings("records", {})).toEqual({
      serviceName: "tidings-records",
      traces: false,
      pushMetrics: false,
      metricsPort: 0,
      metricsHost: "127.0.0.1",
    });
  });

  it("traces and pushes metrics once an OTLP endpoint is set, each signal on its own endpoint too", () => {
    const both = telemetrySettings("gateway", { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" });
    expect([both.traces, both.pushMetrics]).toEqual([true, true]);
    const traces = telemetrySettings("gateway", { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c" });
    expect([traces.traces, traces.pushMetrics]).toEqual([true, false]);
    const metrics = telemetrySettings("gateway", {
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://c",
    });
    expect([metrics.traces, metrics.pushMetrics]).toEqual([false, true]);
  });

  it("follows the exporters named, none included, and OTEL_SDK_DISABLED", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    expect(
      telemetrySettings("evaluator", { ...endpoint, OTEL_METRICS_EXPORTER: "none" }).pushMetrics,
    ).toBe(false);
    expect(telemetrySettings("evaluator", { OTEL_TRACES_EXPORTER: "console" }).traces).toBe(true);
    expect(telemetrySettings("evaluator", { OTEL_TRACES_EXPORTER: "none" }).traces).toBe(false);
    const disabled = telemetrySettings("evaluator", {
      ...endpoint,
      OTEL_SDK_DISABLED: "true",
      TIDINGS_METRICS_PORT: "9464",
    });
    expect([disabled.traces, disabled.pushMetrics, disabled.metricsPort]).toEqual([
      false,
      false,
      9464,
    ]);
  });

  it("keeps OTEL_SERVICE_NAME and TIDINGS_HOST, and refuses a metrics port that is not one", () => {
    const settings = telemetrySettings("standalone", {
      OTEL_SERVICE_NAME: "feeds",
      TIDINGS_HOST: "0.0.0.0",
    });
    expect([settings.serviceName, settings.metricsHost]).toEqual(["feeds", "0.0.0.0"]);
    expect(() => telemetrySettings("records", { TIDINGS_METRICS_PORT: "70000" })).toThrow(
      /TIDINGS_METRICS_PORT/,
    );
    expect(() => telemetrySettings("records", { TIDINGS_METRICS_PORT: "metrics" })).toThrow(
      /TIDINGS_METRICS_PORT/,
    );
  });
});
