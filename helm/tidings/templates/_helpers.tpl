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
