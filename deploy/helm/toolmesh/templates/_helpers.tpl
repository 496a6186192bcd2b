{{/* Names and labels. */}}
{{- define "toolmesh.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "toolmesh.fullname" -}}
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

{{- define "toolmesh.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object; dict root, component. */}}
{{- define "toolmesh.labels" -}}
helm.sh/chart: {{ include "toolmesh.chart" .root }}
{{ include "toolmesh.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: toolmesh
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "toolmesh.selectorLabels" -}}
app.kubernetes.io/name: {{ include "toolmesh.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* <fullname>-<component>: the name of a service's Deployment, Service, HPA and PDB. */}}
{{- define "toolmesh.componentName" -}}
{{- printf "%s-%s" (include "toolmesh.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Whether prometheus-operator's kinds may be rendered: the cluster serves
monitoring.coreos.com/v1 (`helm template` sees it only with
`--api-versions monitoring.coreos.com/v1`), or metrics.assumeMonitoringCrds says
so. Otherwise an enabled ServiceMonitor or PrometheusRule is left out (NOTES
says so) instead of failing the install on an unknown kind.
*/}}
{{- define "toolmesh.monitoringApi" -}}
{{- if or (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") .Values.metrics.assumeMonitoringCrds }}true{{ end -}}
{{- end -}}

{{/* Secret with the optional credentials, or "" when none is configured. */}}
{{- define "toolmesh.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else if .Values.secrets.create -}}
{{- include "toolmesh.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* config.jsReplicas, refused when the vendored NATS has fewer servers (JetStream would refuse every stream). */}}
{{- define "toolmesh.jsReplicas" -}}
{{- $r := .Values.config.jsReplicas | int -}}
{{- if .Values.nats.enabled -}}
{{- $servers := ternary (.Values.nats.cluster.replicas | int) 1 (.Values.nats.cluster.enabled | default false) -}}
{{- if gt $r $servers -}}
{{- fail (printf "config.jsReplicas=%d needs at least %d NATS servers, the vendored NATS runs %d: set nats.cluster.enabled=true and nats.cluster.replicas>=%d (values-production.yaml), or lower config.jsReplicas" $r $r $servers $r) -}}
{{- end -}}
{{- end -}}
{{- $r -}}
{{- end -}}

{{/* TOOLMESH_NATS_URL: the vendored NATS, or the required external URL. */}}
{{- define "toolmesh.natsUrl" -}}
{{- if .Values.nats.enabled -}}
{{- printf "nats://%s:4222" (include "toolmesh.natsFullname" .) -}}
{{- else -}}
{{- required "nats.url is required when nats.enabled=false: set it to your JetStream-enabled NATS server(s), e.g. --set nats.url=nats://nats.example:4222" .Values.nats.url -}}
{{- end -}}
{{- end -}}

{{/*
An image reference: `<registry>/<repository>@<digest>` when a digest is set, else
`<registry>/<repository>:<tag>`. global.imageRegistry replaces every registry;
an empty registry leaves the repository as it is. dict root, image (the
service's image block), defaultRepository, defaultRegistry, defaultTag.
*/}}
{{- define "toolmesh.imageRef" -}}
{{- $i := .image | default dict -}}
{{- $global := (.root.Values.global | default dict).imageRegistry -}}
{{- $registry := $global | default $i.registry | default .defaultRegistry -}}
{{- $ref := $i.repository | default .defaultRepository -}}
{{- if $registry }}{{ $ref = printf "%s/%s" $registry $ref }}{{ end -}}
{{- if $i.digest -}}
{{- printf "%s@%s" $ref $i.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (toString ($i.tag | default .defaultTag)) -}}
{{- end -}}
{{- end -}}

{{/*
A service's image: `<image.registry>/<image.repository>/<component>` by default;
its own `image.repository` replaces all of that (it may name its own registry,
as before image.registry existed). dict root, component, values.
*/}}
{{- define "toolmesh.image" -}}
{{- $g := .root.Values.image -}}
{{- $registry := ternary "" $g.registry (not (empty ((.values.image | default dict).repository))) -}}
{{- include "toolmesh.imageRef" (dict "root" .root "image" .values.image "defaultRegistry" $registry "defaultRepository" (printf "%s/%s" $g.repository .component) "defaultTag" ($g.tag | default .root.Chart.AppVersion)) -}}
{{- end -}}

{{/* CPU quantity → millicores ("4" → 4000, "500m" → 500, "1.5" → 1500). */}}
{{- define "toolmesh.cpuMillis" -}}
{{- $q := toString . -}}
{{- if hasSuffix "m" $q -}}
{{- trimSuffix "m" $q | float64 -}}
{{- else if regexMatch "^[0-9]+(\\.[0-9]+)?$" $q -}}
{{- mulf (float64 $q) 1000 -}}
{{- else -}}
{{- fail (printf "resources.nodeBudget.cpu %q: use cores (\"4\", \"1.5\") or millicores (\"4000m\")" $q) -}}
{{- end -}}
{{- end -}}

{{/* Memory quantity → MiB ("8Gi" → 8192). */}}
{{- define "toolmesh.memoryMi" -}}
{{- $q := toString . -}}
{{- if hasSuffix "Ti" $q -}}{{- mulf (float64 (trimSuffix "Ti" $q)) 1048576 -}}
{{- else if hasSuffix "Gi" $q -}}{{- mulf (float64 (trimSuffix "Gi" $q)) 1024 -}}
{{- else if hasSuffix "Mi" $q -}}{{- float64 (trimSuffix "Mi" $q) -}}
{{- else if hasSuffix "Ki" $q -}}{{- divf (float64 (trimSuffix "Ki" $q)) 1024 -}}
{{- else if regexMatch "^[0-9]+$" $q -}}{{- divf (float64 $q) 1048576 -}}
{{- else -}}
{{- fail (printf "resources.nodeBudget.memory %q: use Ki, Mi, Gi, Ti or bytes" $q) -}}
{{- end -}}
{{- end -}}

{{/*
Requests and limits of a service: its own `resources` when set, otherwise
nodeBudget × share / 100 for requests and requests × limitFactor for limits.
dict root, values, shareKey.
*/}}
{{- define "toolmesh.resources" -}}
{{- if .values.resources -}}
{{- toYaml .values.resources -}}
{{- else -}}
{{- $r := .root.Values.resources -}}
{{- $share := required (printf "resources.shares.%s is required (or set %s.resources)" .shareKey .shareKey) (get $r.shares .shareKey) -}}
{{- $cpu := floor (divf (mulf (include "toolmesh.cpuMillis" $r.nodeBudget.cpu | float64) $share.cpu) 100) | int -}}
{{- $mem := floor (divf (mulf (include "toolmesh.memoryMi" $r.nodeBudget.memory | float64) $share.memory) 100) | int -}}
requests:
  cpu: {{ printf "%dm" $cpu }}
  memory: {{ printf "%dMi" $mem }}
{{- if or $r.limitFactor.cpu $r.limitFactor.memory }}
limits:
  {{- if $r.limitFactor.cpu }}
  cpu: {{ printf "%dm" (floor (mulf $cpu $r.limitFactor.cpu) | int) }}
  {{- end }}
  {{- if $r.limitFactor.memory }}
  memory: {{ printf "%dMi" (floor (mulf $mem $r.limitFactor.memory) | int) }}
  {{- end }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* Drain grace of a service in ms (its own, else config.drainGraceMs). */}}
{{- define "toolmesh.drainGraceMs" -}}
{{- .values.drainGraceMs | default .root.Values.config.drainGraceMs | int -}}
{{- end -}}

{{/*
terminationGracePeriodSeconds: explicit, or preStop sleep + drain grace + 10 s,
so the kubelet's SIGKILL never lands while in-flight calls may still finish.
*/}}
{{- define "toolmesh.terminationGrace" -}}
{{- if .values.terminationGracePeriodSeconds -}}
{{- .values.terminationGracePeriodSeconds | int -}}
{{- else -}}
{{- $drainS := divf (include "toolmesh.drainGraceMs" . | float64) 1000 | ceil | int -}}
{{- add $drainS (.values.preStopSleepSeconds | default 0 | int) 10 -}}
{{- end -}}
{{- end -}}

{{/* Env entries from the Secret; dict root, key (secrets.keys.<key>), name (variable). */}}
{{- define "toolmesh.secretEnv" -}}
{{- $secret := include "toolmesh.secretName" .root -}}
{{- if $secret }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ get .root.Values.secrets.keys .key }}
      optional: true
{{- end }}
{{- end -}}

{{/* NATS credentials every service gets. */}}
{{- define "toolmesh.natsSecretEnv" -}}
{{- include "toolmesh.secretEnv" (dict "root" . "key" "natsToken" "name" "TOOLMESH_NATS_TOKEN") }}
{{- include "toolmesh.secretEnv" (dict "root" . "key" "natsUser" "name" "TOOLMESH_NATS_USER") }}
{{- include "toolmesh.secretEnv" (dict "root" . "key" "natsPassword" "name" "TOOLMESH_NATS_PASSWORD") }}
{{- if and .Values.secrets.mountNatsCreds (include "toolmesh.secretName" .) }}
- name: TOOLMESH_NATS_CREDS
  value: /etc/toolmesh/nats/nats.creds
{{- end }}
{{- end -}}

{{/* `NAME: value` map → env entries. */}}
{{- define "toolmesh.envMap" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ toString $value | quote }}
{{- end }}
{{- end -}}

{{/*
An MCP pool's replica bounds "min:max": the entry's min (1) and max (4), as
apps/mcp-pool and the autoscaler read them; fails when min > max. dict name, entry.
*/}}
{{- define "toolmesh.mcpReplicas" -}}
{{- $min := ternary (int .entry.min) 1 (hasKey .entry "min") -}}
{{- $max := ternary (int .entry.max) 4 (hasKey .entry "max") -}}
{{- if gt $min $max -}}
{{- fail (printf "mcpPools.%s: min %d > max %d" .name $min $max) -}}
{{- end -}}
{{- printf "%d:%d" $min $max -}}
{{- end -}}
