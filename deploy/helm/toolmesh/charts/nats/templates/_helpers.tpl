{{- define "nats.fullname" -}}
{{- .Values.fullnameOverride | default (printf "%s-nats" .Release.Name) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nats.selectorLabels" -}}
app.kubernetes.io/name: nats
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: nats
{{- end -}}

{{- define "nats.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "nats.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: toolmesh
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Servers: cluster.replicas in a cluster, else one. */}}
{{- define "nats.replicas" -}}
{{- if .Values.cluster.enabled }}{{ .Values.cluster.replicas | int }}{{ else }}1{{ end -}}
{{- end -}}

{{/* Every server's route URL, through the headless Service's per-pod names. */}}
{{- define "nats.routes" -}}
{{- $name := include "nats.fullname" . -}}
{{- $routes := list -}}
{{- range $i := until (include "nats.replicas" . | int) -}}
{{- $routes = append $routes (printf "nats://%s-%d.%s-headless:6222" $name $i $name) -}}
{{- end -}}
{{- join "," $routes -}}
{{- end -}}

{{/* `<registry>/<repository>:<tag>`; global.imageRegistry (the parent's) wins over image.registry. dict root, image. */}}
{{- define "nats.image" -}}
{{- $registry := ((.root.Values.global | default dict).imageRegistry) | default .image.registry -}}
{{- $ref := .image.repository -}}
{{- if $registry }}{{ $ref = printf "%s/%s" $registry $ref }}{{ end -}}
{{- if .image.digest }}{{ printf "%s@%s" $ref .image.digest }}{{ else }}{{ printf "%s:%s" $ref (toString .image.tag) }}{{ end -}}
{{- end -}}
