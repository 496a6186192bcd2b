{{/*
The coordinator's gRPC door: its bearer token and TLS, for the coordinator and
every client of it in the chart (agent, mcp-gateway, the helm test pod).
*/}}

{{/* Name of the generated token Secret. */}}
{{- define "toolmesh.grpcTokenGeneratedName" -}}
{{- printf "%s-grpc-token" (include "toolmesh.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The Secret holding TOOLMESH_GRPC_TOKEN (key secrets.keys.grpcToken), or "" for
no token. secrets.existingSecret provides it — unless the cluster shows that
Secret without the key; secrets.create with the key in secrets.values
provides it; otherwise, with grpc.token.generate, a generated Secret does.
*/}}
{{- define "toolmesh.grpcTokenSecret" -}}
{{- $key := .Values.secrets.keys.grpcToken -}}
{{- $generated := ternary (include "toolmesh.grpcTokenGeneratedName" .) "" (.Values.grpc.token.generate | default false) -}}
{{- if .Values.secrets.existingSecret -}}
{{- $found := lookup "v1" "Secret" .Release.Namespace .Values.secrets.existingSecret -}}
{{- if and $found (not (hasKey ($found.data | default dict) $key)) -}}
{{- $generated -}}
{{- else -}}
{{- .Values.secrets.existingSecret -}}
{{- end -}}
{{- else if and .Values.secrets.create (hasKey (.Values.secrets.values | default dict) $key) -}}
{{- include "toolmesh.fullname" . -}}
{{- else -}}
{{- $generated -}}
{{- end -}}
{{- end -}}

{{/* TOOLMESH_GRPC_TOKEN from its Secret, required (a missing key stops the pod, never a server without a token). */}}
{{- define "toolmesh.grpcTokenEnv" -}}
{{- with (include "toolmesh.grpcTokenSecret" .) }}
- name: TOOLMESH_GRPC_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.secrets.keys.grpcToken }}
{{- end }}
{{- end -}}

{{/* Fails the render on TLS values that cannot work. */}}
{{- define "toolmesh.grpcTlsCheck" -}}
{{- $t := .Values.grpc.tls -}}
{{- if $t.enabled -}}
{{- if not $t.secretName -}}
{{- fail "grpc.tls.secretName is required with grpc.tls.enabled: a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt (e.g. from cert-manager)" -}}
{{- end -}}
{{- if and $t.mutual (not $t.clientSecretName) -}}
{{- fail "grpc.tls.clientSecretName is required with grpc.tls.mutual: a kubernetes.io/tls Secret whose tls.crt (signed by grpc.tls.secretName's ca.crt, extended key usage clientAuth) and tls.key the chart's gRPC clients present" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The coordinator's TLS env entries (YAML list text; "" without TLS). */}}
{{- define "toolmesh.grpcServerTlsEnv" -}}
{{- include "toolmesh.grpcTlsCheck" . -}}
{{- if .Values.grpc.tls.enabled }}
- name: TOOLMESH_GRPC_TLS_CERT
  value: /etc/toolmesh/grpc-tls/tls.crt
- name: TOOLMESH_GRPC_TLS_KEY
  value: /etc/toolmesh/grpc-tls/tls.key
{{- if .Values.grpc.tls.mutual }}
- name: TOOLMESH_GRPC_TLS_CLIENT_CA
  value: /etc/toolmesh/grpc-tls/ca.crt
{{- end }}
{{- end }}
{{- end -}}

{{/* The coordinator's TLS volume; kind "volumes" or "volumeMounts" (YAML list text). */}}
{{- define "toolmesh.grpcServerTlsVolume" -}}
{{- if .root.Values.grpc.tls.enabled }}
{{- if eq .kind "volumes" }}
- name: grpc-tls
  secret:
    secretName: {{ .root.Values.grpc.tls.secretName }}
{{- else }}
- name: grpc-tls
  mountPath: /etc/toolmesh/grpc-tls
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}

{{/* A gRPC client's env: the token, and with TLS the CA, the server name and (mTLS) its certificate. */}}
{{- define "toolmesh.grpcClientEnv" -}}
{{- include "toolmesh.grpcTokenEnv" . }}
{{- include "toolmesh.grpcTlsCheck" . -}}
{{- $t := .Values.grpc.tls -}}
{{- if $t.enabled }}
- name: TOOLMESH_GRPC_TLS_CA
  value: /etc/toolmesh/grpc-tls-ca/ca.crt
{{- with $t.serverName }}
- name: TOOLMESH_GRPC_TLS_SERVER_NAME
  value: {{ . | quote }}
{{- end }}
{{- if $t.mutual }}
- name: TOOLMESH_GRPC_TLS_CLIENT_CERT
  value: /etc/toolmesh/grpc-client-tls/tls.crt
- name: TOOLMESH_GRPC_TLS_CLIENT_KEY
  value: /etc/toolmesh/grpc-client-tls/tls.key
{{- end }}
{{- end }}
{{- end -}}

{{/*
A gRPC client's TLS volumes; kind "volumes" or "volumeMounts". Only ca.crt of
the coordinator's Secret: its private key stays with the coordinator.
*/}}
{{- define "toolmesh.grpcClientTlsVolumes" -}}
{{- $t := .root.Values.grpc.tls -}}
{{- if $t.enabled }}
{{- if eq .kind "volumes" }}
- name: grpc-tls-ca
  secret:
    secretName: {{ $t.secretName }}
    items:
      - key: ca.crt
        path: ca.crt
{{- if $t.mutual }}
- name: grpc-client-tls
  secret:
    secretName: {{ $t.clientSecretName }}
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
{{- end }}
{{- else }}
- name: grpc-tls-ca
  mountPath: /etc/toolmesh/grpc-tls-ca
  readOnly: true
{{- if $t.mutual }}
- name: grpc-client-tls
  mountPath: /etc/toolmesh/grpc-client-tls
  readOnly: true
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
