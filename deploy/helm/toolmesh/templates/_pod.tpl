{{/*
Pod-level knobs every service shares: labels, ServiceAccount, topology spread.
Each takes the dict toolmesh.component gets (root, component, values, ...).
*/}}

{{/*
Labels of a pod besides its selector labels: commonLabels, then podLabels and
the service's podLabels (a service's win), and toolmesh.dev/nats-client on the
pods that log in to NATS (the NATS NetworkPolicy admits only those).
*/}}
{{- define "toolmesh.podLabels" -}}
{{- $labels := merge (deepCopy (.values.podLabels | default dict)) (deepCopy (.root.Values.podLabels | default dict)) (deepCopy (.root.Values.commonLabels | default dict)) -}}
{{- if .natsRole }}{{ $_ := set $labels "toolmesh.dev/nats-client" "true" }}{{ end -}}
{{- with $labels }}{{ toYaml . }}{{ end -}}
{{- end -}}

{{/*
A service's ServiceAccount settings: serviceAccount (global) under the
service's own; `create` is read by hand since merge skips a false.
*/}}
{{- define "toolmesh.serviceAccountValues" -}}
{{- $global := .root.Values.serviceAccount | default dict -}}
{{- $own := .values.serviceAccount | default dict -}}
{{- $create := ternary $own.create $global.create (hasKey $own "create") -}}
{{- $annotations := merge (deepCopy ($own.annotations | default dict)) (deepCopy ($global.annotations | default dict)) -}}
{{- toJson (dict "create" $create "name" ($own.name | default "") "annotations" $annotations) -}}
{{- end -}}

{{/* The pod's serviceAccountName: its own `<fullname>-<component>` when created, else serviceAccount.name ("" = the namespace's default). */}}
{{- define "toolmesh.serviceAccountName" -}}
{{- $sa := include "toolmesh.serviceAccountValues" . | fromJson -}}
{{- if $sa.create -}}
{{- $sa.name | default (include "toolmesh.componentName" (dict "root" .root "component" .component)) -}}
{{- else -}}
{{- $sa.name -}}
{{- end -}}
{{- end -}}

{{/*
One ServiceAccount per service, so RBAC and cloud IAM bindings (annotations)
name a single workload. Its token is never mounted by default: only the
autoscaler's pod asks for it (automountToken), as it is the only caller of
the Kubernetes API.
*/}}
{{- define "toolmesh.serviceAccount" -}}
{{- $sa := include "toolmesh.serviceAccountValues" . | fromJson -}}
{{- if $sa.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "toolmesh.serviceAccountName" . }}
  labels:
    {{- include "toolmesh.labels" (dict "root" .root "component" .component) | nindent 4 }}
  {{- with $sa.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end -}}

{{/*
topologySpreadConstraints: the service's, else the global list; a constraint
without labelSelector gets the service's selector labels. dict root, values, ctx.
*/}}
{{- define "toolmesh.topologySpread" -}}
{{- $out := list -}}
{{- range (.values.topologySpreadConstraints | default .root.Values.topologySpreadConstraints) -}}
{{- $c := deepCopy . -}}
{{- if not (hasKey $c "labelSelector") -}}
{{- $_ := set $c "labelSelector" (dict "matchLabels" (include "toolmesh.selectorLabels" $.ctx | fromYaml)) -}}
{{- end -}}
{{- $out = append $out $c -}}
{{- end -}}
{{- with $out }}{{ toYaml . }}{{ end -}}
{{- end -}}
