import { hostname } from "node:os";
import {
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { TelemetrySettings } from "./telemetry-settings.ts";

/**
 * The resource of a process's metrics: its service name and, so each replica's series stay apart
 * (which evaluator holds which partition), `service.instance.id` = host name and pid (the pod name
 * in Kubernetes). OTEL_RESOURCE_ATTRIBUTES adds to or overrides both.
 */
export function processResource(settings: TelemetrySettings): Resource {
  return resourceFromAttributes({
    [ATTR_SERVICE_NAME]: settings.serviceName,
    "service.instance.id": `${hostname()}:${process.pid}`,
  }).merge(detectResources({ detectors: [envDetector] }));
}
