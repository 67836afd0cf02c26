{{/* The chart's name, overridable. */}}
{{- define "tidings.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release-qualified name; a release named like the chart is not repeated. */}}
{{- define "tidings.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The templates below take (dict "context" $ "component" "records"), plus "values" (the
component's values) where they read them.
*/}}

{{/* Name of a component's objects: <fullname>-records. */}}
{{- define "tidings.componentName" -}}
{{- printf "%s-%s" (include "tidings.fullname" .context) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tidings.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tidings.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "tidings.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .context.Chart.Name .context.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "tidings.selectorLabels" . }}
app.kubernetes.io/version: {{ .context.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
{{- end -}}

{{/*
The container port of /metrics: (dict "context" $ "taken" (list <the service's own ports>)). A
port the service already listens on would keep the metrics listener, and so the pod, from starting.
*/}}
{{- define "tidings.metricsContainerPort" -}}
{{- $port := .context.Values.metrics.port -}}
{{- range .taken }}
{{- if eq (int .) (int $port) }}
{{- fail (printf "metrics.port %d is already a port of this service; pick another" (int $port)) }}
{{- end }}
{{- end -}}
# Prometheus text at /metrics (TIDINGS_METRICS_PORT).
- name: metrics
  containerPort: {{ $port }}
{{- end -}}

{{/* The headless Service listing a component's pods for Prometheus: <fullname>-records-metrics. */}}
{{- define "tidings.metricsServiceName" -}}
{{- printf "%s-metrics" (include "tidings.componentName" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The Secret with URLs and credentials: the chart's own, or existingSecret. */}}
{{- define "tidings.secretName" -}}
{{- default (include "tidings.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* Variables every service reads, with the values that must agree between services. */}}
{{- define "tidings.sharedEnv" -}}
TIDINGS_HOST: "0.0.0.0"
TIDINGS_LOG_LEVEL: {{ .Values.logLevel | quote }}
TIDINGS_DATABASE_POOL_SIZE: {{ .Values.postgresql.poolSize | int64 | quote }}
TIDINGS_NATS_PREFIX: {{ .Values.nats.prefix | quote }}
TIDINGS_PARTITIONS: {{ .Values.nats.partitions | int64 | quote }}
TIDINGS_RESUME_RETENTION: {{ .Values.nats.resumeRetention | int64 | quote }}
TIDINGS_RESUME_MAX_BYTES: {{ .Values.nats.resumeMaxBytes | int64 | quote }}
{{- if .Values.metrics.enabled }}
TIDINGS_METRICS_PORT: {{ .Values.metrics.port | int64 | quote }}
{{- end }}
{{- end -}}

{{/* Identity-provider settings: the records service and the gateways verify tokens alike. */}}
{{- define "tidings.identityProviderEnv" -}}
{{- with .Values.auth.jwksUrl }}
TIDINGS_JWT_JWKS_URL: {{ . | quote }}
{{- end }}
{{- with .Values.auth.issuer }}
TIDINGS_JWT_ISSUER: {{ . | quote }}
{{- end }}
{{- with .Values.auth.audience }}
TIDINGS_JWT_AUDIENCE: {{ . | quote }}
{{- end }}
{{- end -}}

{{/*
Container env entries from the Secret: (dict "context" $ "required" (list ...) "optional" (list ...)).
Optional keys may be absent from the Secret; the variable is then unset.
*/}}
{{- define "tidings.secretEnv" -}}
{{- $secret := include "tidings.secretName" .context -}}
{{- range .required }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
{{- end }}
{{- range .optional }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end -}}

{{/*
Container env entries of OpenTelemetry's own variables (opentelemetry.*), read by the SDK each
service starts, not by its TIDINGS_* configuration: (dict "context" $ "component" "records").
Entries, not ConfigMap data: OTEL_RESOURCE_ATTRIBUTES refers to the pod's name and namespace, which
only the downward API gives, and Kubernetes expands $(NAME) only from variables listed before it.
*/}}
{{- define "tidings.openTelemetryEnv" -}}
{{- $otel := .context.Values.opentelemetry -}}
# Not TIDINGS_* names, which the services would report as unknown.
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $otel.endpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ $otel.protocol | quote }}
{{- with $otel.headers.existingSecret }}
- name: OTEL_EXPORTER_OTLP_HEADERS
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $otel.headers.key }}
{{- end }}
{{- with $otel.tracesSampler }}
- name: OTEL_TRACES_SAMPLER
  value: {{ . | quote }}
{{- /* A ratio of 0 is a value too. */}}
{{- if or $otel.tracesSamplerArg (eq (toString $otel.tracesSamplerArg) "0") }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ $otel.tracesSamplerArg | toString | quote }}
{{- end }}
{{- end }}
{{- if not $otel.pushMetrics }}
# Traces only: metrics are scraped from /metrics.
- name: OTEL_METRICS_EXPORTER
  value: "none"
{{- end }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ include "tidings.resourceAttributes" . | quote }}
{{- end -}}

{{/*
key=value,... of OTEL_RESOURCE_ATTRIBUTES; a `$` of a value is doubled so Kubernetes does not read
it as the start of a $(NAME) reference.
*/}}
{{- define "tidings.resourceAttributes" -}}
k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME),k8s.deployment.name={{ include "tidings.componentName" . }}
{{- range $name, $value := .context.Values.opentelemetry.resourceAttributes -}}
,{{ $name }}={{ $value | replace "$" "$$" }}
{{- end -}}
{{- end -}}

{{/* Rolls the pods when their configuration changes. */}}
{{- define "tidings.configChecksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmaps.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}

{{/* Pod settings every component shares. */}}
{{- define "tidings.podSpec" -}}
# The services never call the Kubernetes API.
automountServiceAccountToken: false
{{- with .context.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  # The image's `node` user, by number so that runAsNonRoot can check it.
  runAsNonRoot: true
  runAsUser: 1000
  runAsGroup: 1000
  seccompProfile:
    type: RuntimeDefault
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  # A writable temporary folder for the libraries that use one; the root filesystem is read-only.
  - name: tmp
    emptyDir: {}
{{- end -}}

{{/* Container settings every component shares: image, probes, shutdown, limits. */}}
{{- define "tidings.container" -}}
image: {{ printf "%s:%s" .context.Values.image.repository (.context.Values.image.tag | default .context.Chart.AppVersion) | quote }}
imagePullPolicy: {{ .context.Values.image.pullPolicy }}
# Start-up opens the database and applies migrations before the port opens.
startupProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
# /readyz fails while the pod drains or a dependency does not answer within 2 s.
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- if .context.Values.preStopSleepSeconds }}
lifecycle:
  preStop:
    exec:
      command: ["sleep", {{ .context.Values.preStopSleepSeconds | int64 | quote }}]
{{- end }}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: ["ALL"]
{{- with .values.resources }}
resources:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end -}}
