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
TIDINGS_NATS_REPLICAS: {{ .Values.nats.replicas | int64 | quote }}
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
Container env entries from the Secret: (dict "context" $ "required" (list ...) "optional" (list ...)),
and "secret" to name another than the release's. Optional keys may be absent from the Secret; the
variable is then unset.
*/}}
{{- define "tidings.secretEnv" -}}
{{- $secret := .secret | default (include "tidings.secretName" .context) -}}
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

{{/* The pods' ServiceAccount: the chart's, an existing one, or the namespace's default (empty). */}}
{{- define "tidings.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tidings.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tidings.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) | quote -}}
{{- end -}}

{{/*
Files the services read credentials and certificates from (nats.credentials, nats.nkey, nats.tls.*
and, with "redis" true, redis.tls.*), each mounted from a key of a Secret or ConfigMap of the
user's: (dict "context" $ "redis" true). A YAML list of volumes, each with its items: the variable
naming the file, the key and the file name. Volumes, mounts and the variables all come from it.
*/}}
{{- define "tidings.connectionFiles" -}}
{{- $v := .context.Values -}}
{{- $files := list -}}
{{- with $v.nats.credentials.secretName }}
{{- $files = append $files (dict "name" "nats-credentials" "secret" . "items" (list (dict "variable" "TIDINGS_NATS_CREDS_FILE" "key" $v.nats.credentials.key "file" "nats.creds"))) }}
{{- end }}
{{- with $v.nats.nkey.secretName }}
{{- if $v.nats.credentials.secretName }}
{{- fail "nats.nkey and nats.credentials: set one (a .creds file holds its own nkey seed)" }}
{{- end }}
{{- $files = append $files (dict "name" "nats-nkey" "secret" . "items" (list (dict "variable" "TIDINGS_NATS_NKEY_SEED_FILE" "key" $v.nats.nkey.key "file" "seed.nk"))) }}
{{- end }}
{{- $sources := list (list "nats" $v.nats.tls "TIDINGS_NATS") -}}
{{- if .redis }}
{{- $sources = append $sources (list "redis" $v.redis.tls "TIDINGS_REDIS") }}
{{- end }}
{{- range $sources }}
{{- $name := index . 0 }}
{{- $tls := index . 1 }}
{{- $prefix := index . 2 }}
{{- $ca := dict "name" (printf "%s-ca" $name) "items" (list (dict "variable" (printf "%s_TLS_CA_FILE" $prefix) "key" $tls.ca.key "file" "ca.crt")) }}
{{- if and $tls.ca.secretName $tls.ca.configMapName }}
{{- fail (printf "%s.tls.ca: set secretName or configMapName, not both" $name) }}
{{- else if $tls.ca.secretName }}
{{- $files = append $files (set $ca "secret" $tls.ca.secretName) }}
{{- else if $tls.ca.configMapName }}
{{- $files = append $files (set $ca "configMap" $tls.ca.configMapName) }}
{{- end }}
{{- with $tls.clientCertificate.secretName }}
{{- $items := list (dict "variable" (printf "%s_TLS_CERT_FILE" $prefix) "key" $tls.clientCertificate.certKey "file" "tls.crt") (dict "variable" (printf "%s_TLS_KEY_FILE" $prefix) "key" $tls.clientCertificate.keyKey "file" "tls.key") }}
{{- $files = append $files (dict "name" (printf "%s-client-certificate" $name) "secret" . "items" $items) }}
{{- end }}
{{- end }}
{{- toYaml $files }}
{{- end -}}

{{/* The path a connection file is mounted at. */}}
{{- define "tidings.connectionFilePath" -}}
{{- printf "/etc/tidings/%s/%s" .volume .file -}}
{{- end -}}

{{/* ConfigMap entries naming the connection files: (dict "context" $ "redis" true). */}}
{{- define "tidings.connectionFileEnv" -}}
{{- range $volume := fromYamlArray (include "tidings.connectionFiles" .) }}
{{- range .items }}
{{ .variable }}: {{ include "tidings.connectionFilePath" (dict "volume" $volume.name "file" .file) | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Variables of the Redis connection, for the evaluators and gateways (the password: Secret). */}}
{{- define "tidings.redisEnv" -}}
{{- $redis := .Values.redis -}}
{{- if and $redis.url (not (hasPrefix "rediss://" $redis.url)) (or $redis.tls.ca.secretName $redis.tls.ca.configMapName $redis.tls.clientCertificate.secretName $redis.tls.serverName) }}
{{- fail "redis.tls.* needs a rediss:// redis.url" }}
{{- end }}
TIDINGS_REDIS_PREFIX: {{ $redis.prefix | quote }}
TIDINGS_REDIS_CLUSTER: {{ $redis.cluster.enabled | quote }}
{{- with $redis.cluster.nodes }}
{{- if not $redis.cluster.enabled }}
{{- fail "redis.cluster.nodes needs redis.cluster.enabled" }}
{{- end }}
TIDINGS_REDIS_CLUSTER_NODES: {{ join "," . | quote }}
{{- end }}
{{- with $redis.username }}
TIDINGS_REDIS_USERNAME: {{ . | quote }}
{{- end }}
{{- with $redis.tls.serverName }}
TIDINGS_REDIS_TLS_SERVERNAME: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* A component's affinity: its own, or the soft anti-affinity of defaultSpread. */}}
{{- define "tidings.affinity" -}}
{{- if .values.affinity }}
{{- toYaml .values.affinity }}
{{- else if .context.Values.defaultSpread }}
# Prefer nodes without another pod of this component.
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "tidings.selectorLabels" . | nindent 12 }}
{{- end }}
{{- end -}}

{{/*
A component's topology spread constraints: its own (given this component's labelSelector where
they have none), or the zone spread of defaultSpread.
*/}}
{{- define "tidings.topologySpreadConstraints" -}}
{{- $selector := dict "matchLabels" (include "tidings.selectorLabels" . | fromYaml) -}}
{{- if .values.topologySpreadConstraints }}
{{- range .values.topologySpreadConstraints }}
{{- if hasKey . "labelSelector" }}
- {{ toYaml . | indent 2 | trim }}
{{- else }}
- {{ toYaml (merge (dict "labelSelector" $selector) .) | indent 2 | trim }}
{{- end }}
{{- end }}
{{- else if .context.Values.defaultSpread }}
# Spread over zones where the nodes have them; never blocks scheduling.
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    {{- toYaml $selector | nindent 4 }}
{{- end }}
{{- end -}}

{{/* Pod settings every component shares. */}}
{{- define "tidings.podSpec" -}}
{{- $values := .context.Values -}}
# The services never call the Kubernetes API.
automountServiceAccountToken: {{ $values.serviceAccount.automountServiceAccountToken }}
{{- with include "tidings.serviceAccountName" .context }}
serviceAccountName: {{ . }}
{{- end }}
{{- with $values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with include "tidings.affinity" . | trim }}
affinity:
  {{- . | nindent 2 }}
{{- end }}
{{- with include "tidings.topologySpreadConstraints" . | trim }}
topologySpreadConstraints:
  {{- . | nindent 2 }}
{{- end }}
{{- with .values.initContainers }}
initContainers:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  # A writable temporary folder for the libraries that use one; the root filesystem is read-only.
  - name: tmp
    emptyDir: {}
  {{- range fromYamlArray (include "tidings.connectionFiles" (dict "context" .context "redis" (ne .component "records"))) }}
  - name: {{ .name }}
    {{- if .secret }}
    secret:
      secretName: {{ .secret }}
    {{- else }}
    configMap:
      name: {{ .configMap }}
    {{- end }}
      items:
        {{- range .items }}
        - key: {{ .key }}
          path: {{ .file }}
        {{- end }}
  {{- end }}
  {{- with .values.extraVolumes }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/* Container settings every component shares: image, probes, shutdown, limits, mounts. */}}
{{- define "tidings.container" -}}
image: {{ include "tidings.image" .context }}
imagePullPolicy: {{ .context.Values.image.pullPolicy }}
# Start-up opens the database (and checks its schema is current) before the port opens.
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
{{- with .context.Values.containerSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.resources }}
resources:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
  {{- range fromYamlArray (include "tidings.connectionFiles" (dict "context" .context "redis" (ne .component "records"))) }}
  - name: {{ .name }}
    mountPath: {{ printf "/etc/tidings/%s" .name }}
    readOnly: true
  {{- end }}
  {{- with .values.extraVolumeMounts }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/* envFrom: the component's ConfigMap, then its extraEnvFrom. */}}
{{- define "tidings.envFrom" -}}
- configMapRef:
    name: {{ include "tidings.componentName" . }}
{{- with .values.extraEnvFrom }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The port of a URL (dict "url" "https://idp.example.com/jwks" "default" 443): the one it names, or
"default", or its scheme's (443 for https, 80 for http).
*/}}
{{- define "tidings.urlPort" -}}
{{- $url := urlParse .url -}}
{{- $port := regexFind ":[0-9]+$" $url.host | trimPrefix ":" -}}
{{- if $port -}}
{{- $port -}}
{{- else if .default -}}
{{- .default | int -}}
{{- else if eq $url.scheme "https" -}}
443
{{- else -}}
80
{{- end -}}
{{- end -}}

{{/* The path prefixes the gateways serve (ingress.yaml says which protocol each is for). */}}
{{- define "tidings.gatewayPaths" -}}
{{- toYaml (list "/socket.io" "/api/realtime" "/realtime" "/app" "/broadcasting/auth" "/api/broadcasting/auth" "/sdk") -}}
{{- end -}}
