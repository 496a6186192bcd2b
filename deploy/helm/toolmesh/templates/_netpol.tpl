{{/*
NetworkPolicies (networkPolicy.enabled): every toolmesh pod and the vendored
NATS are selected by a policy with both Ingress and Egress, so whatever is not
listed here is refused. Every pod may: answer on its metrics port (from
networkPolicy.metricsFrom), resolve names (port 53), and — when it logs in to
NATS — reach NATS on 4222. Then, by `egress` (see _workload.tpl):
  coordinator  the coordinator's gRPC port (agent, mcp-gateway)
  internet     anything outside networkPolicy.internet.except (web-search;
               the agent when it calls an LLM; MCP pools)
  kubeApi      networkPolicy.kubeApi (the autoscaler)
bash has none of these: DNS and NATS only.
*/}}

{{/* A port list or a peer list → `ports:`/`to:` entries; dict key, items. */}}
{{- define "toolmesh.netpolPorts" -}}
{{- range . }}
- port: {{ .port }}
  protocol: {{ .protocol | default "TCP" }}
{{- end }}
{{- end -}}

{{/* Egress to port 53 (UDP and TCP), to networkPolicy.dnsTo or anywhere. */}}
{{- define "toolmesh.netpolDns" -}}
- ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
  {{- with .Values.networkPolicy.dnsTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* Selector of the pods of one component of this release; dict root, component. */}}
{{- define "toolmesh.netpolPeer" -}}
- podSelector:
    matchLabels:
      {{- include "toolmesh.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* The OTLP collector's port from config.otlpEndpoint ("" when tracing is off). */}}
{{- define "toolmesh.otlpPort" -}}
{{- with .Values.config.otlpEndpoint -}}
{{- $u := urlParse . -}}
{{- $hostPort := splitList ":" $u.host -}}
{{- if gt (len $hostPort) 1 }}{{ last $hostPort }}{{ else }}{{ ternary 443 80 (eq $u.scheme "https") }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* One service's NetworkPolicy; the dict toolmesh.component gets. */}}
{{- define "toolmesh.networkPolicy" -}}
{{- $root := .root -}}
{{- $np := $root.Values.networkPolicy -}}
{{- if $np.enabled }}
{{- $ctx := dict "root" $root "component" .component -}}
{{- $own := .values.networkPolicy | default dict -}}
{{- $egress := .egress | default list -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "toolmesh.componentName" $ctx }}
  labels:
    {{- include "toolmesh.labels" $ctx | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "toolmesh.selectorLabels" $ctx | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    - ports:
        - {port: metrics, protocol: TCP}
      {{- with $np.metricsFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- if eq .component "coordinator" }}
    # The gRPC API: from anywhere (the token guards it), or only from the
    # chart's clients and networkPolicy.grpcFrom.
    - ports:
        - {port: grpc, protocol: TCP}
      {{- with $np.grpcFrom }}
      from:
        - podSelector:
            matchExpressions:
              - {key: app.kubernetes.io/instance, operator: In, values: [{{ $root.Release.Name | quote }}]}
              - {key: app.kubernetes.io/component, operator: In, values: [agent, mcp-gateway, helm-test]}
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- if eq .component "mcp-gateway" }}
    - ports:
        - {port: http, protocol: TCP}
      {{- with $np.mcpGatewayFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- with $own.extraIngress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  egress:
    {{- include "toolmesh.netpolDns" $root | nindent 4 }}
    {{- if .natsRole }}
    {{- if $root.Values.nats.enabled }}
    - ports:
        - {port: 4222, protocol: TCP}
      to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: nats
              app.kubernetes.io/instance: {{ $root.Release.Name }}
    {{- else }}
    # An external NATS: its port, anywhere (narrow it with networkPolicy.extraEgress and natsTo).
    - ports:
        {{- include "toolmesh.netpolPorts" $np.externalNats.ports | trim | nindent 8 }}
      {{- with $np.externalNats.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- end }}
    {{- if has "coordinator" $egress }}
    - ports:
        - {port: {{ $root.Values.coordinator.grpcPort }}, protocol: TCP}
      to:
        {{- include "toolmesh.netpolPeer" (dict "root" $root "component" "coordinator") | nindent 8 }}
    {{- end }}
    {{- if has "internet" $egress }}
    - to:
        - ipBlock:
            cidr: 0.0.0.0/0
            {{- with $np.internet.except }}
            except:
              {{- toYaml . | nindent 14 }}
            {{- end }}
        - ipBlock:
            cidr: ::/0
            {{- with $np.internet.exceptV6 }}
            except:
              {{- toYaml . | nindent 14 }}
            {{- end }}
    {{- end }}
    {{- if has "kubeApi" $egress }}
    - ports:
        {{- include "toolmesh.netpolPorts" $np.kubeApi.ports | trim | nindent 8 }}
      {{- with $np.kubeApi.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- with (include "toolmesh.otlpPort" $root) }}
    - ports:
        - {port: {{ . }}, protocol: TCP}
    {{- end }}
    {{- with (concat ($np.extraEgress | default list) ($own.extraEgress | default list)) }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end -}}
