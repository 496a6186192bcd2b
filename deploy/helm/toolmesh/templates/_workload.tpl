{{/*
The objects every service shares. Each service's folder calls these with a dict:
  root          the top-level context
  component     coordinator | web-search | codebase | bash | agent | autoscaler
  values        the service's values block
  shareKey      its key under resources.shares ("" for a fixed `resources`)
  env           extra env entries (YAML list text)
  ports         extra container ports (YAML list text); servicePorts: extra Service ports
  serviceType   Service type (ClusterIP)
  probes        liveness/readiness probes (YAML map text); default: HTTP /healthz and /readyz
  volumes, volumeMounts, initContainers   extra (YAML list text)
  podSecurityContext, securityContext      overrides (YAML map text)
  podExtra      extra pod spec fields (YAML map text)
  automountToken                           true: the pod mounts its ServiceAccount's token (the autoscaler only)
  natsRole      its NATS login (coordinator, autoscaler, pool-<pool>); "" = it never connects to NATS
  egress        what its NetworkPolicy lets it reach besides DNS and NATS (list of
                coordinator, internet, kubeApi; see _netpol.tpl)
Global pod keys (podLabels, podAnnotations, priorityClassName,
topologySpreadConstraints, extraEnv, extraVolumes, extraVolumeMounts) are
the defaults a service's own extend (labels, annotations, lists) or replace.
*/}}

{{- define "toolmesh.deployment" -}}
{{- $root := .root -}}
{{- $v := .values -}}
{{- $ctx := dict "root" $root "component" .component -}}
{{- $preStop := $v.preStopSleepSeconds | default 0 | int -}}
{{- $creds := include "toolmesh.natsCredsItem" (dict "root" $root "role" .natsRole) -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "toolmesh.componentName" $ctx }}
  labels:
    {{- include "toolmesh.labels" $ctx | nindent 4 }}
spec:
  {{- if not ($v.autoscaling | default dict).enabled }}
  replicas: {{ $v.replicas | int }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    {{- toYaml ($v.strategy | default (dict "type" "RollingUpdate" "rollingUpdate" (dict "maxSurge" 1 "maxUnavailable" 0))) | nindent 4 }}
  selector:
    matchLabels:
      {{- include "toolmesh.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "toolmesh.selectorLabels" $ctx | nindent 8 }}
        {{- with (include "toolmesh.podLabels" (dict "root" $root "values" $v "natsRole" .natsRole)) }}
        {{- . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        {{- if $root.Values.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $root.Values.metrics.port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with (merge (deepCopy ($v.podAnnotations | default dict)) ($root.Values.podAnnotations | default dict)) }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (include "toolmesh.serviceAccountName" .) }}
      serviceAccountName: {{ . }}
      {{- end }}
      automountServiceAccountToken: {{ .automountToken | default false }}
      {{- with ($v.priorityClassName | default $root.Values.priorityClassName) }}
      priorityClassName: {{ . | quote }}
      {{- end }}
      terminationGracePeriodSeconds: {{ include "toolmesh.terminationGrace" (dict "root" $root "values" $v) }}
      securityContext:
        {{- .podSecurityContext | default (toYaml $root.Values.podSecurityContext) | nindent 8 }}
      {{- with .podExtra }}
      {{- . | nindent 6 }}
      {{- end }}
      {{- with .initContainers }}
      initContainers:
        {{- . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "toolmesh.image" (dict "root" $root "component" .component "values" $v) | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          envFrom:
            - configMapRef:
                name: {{ include "toolmesh.fullname" $root }}
          env:
            {{- with (include "toolmesh.natsEnv" (dict "root" $root "role" .natsRole) | trim) }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with (.env | trim) }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $v.env }}
            {{- include "toolmesh.envMap" . | trim | nindent 12 }}
            {{- end }}
            {{- with (concat ($root.Values.extraEnv | default list) ($v.extraEnv | default list)) }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            - name: metrics
              containerPort: {{ $root.Values.metrics.port }}
              protocol: TCP
            {{- with .ports }}
            {{- . | nindent 12 }}
            {{- end }}
          {{- if $v.probes }}
          {{- toYaml $v.probes | nindent 10 }}
          {{- else if .probes }}
          {{- .probes | nindent 10 }}
          {{- else }}
          startupProbe:
            httpGet: {path: /healthz, port: metrics}
            periodSeconds: 2
            failureThreshold: 30
          livenessProbe:
            httpGet: {path: /healthz, port: metrics}
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            # 503 while draining: the pod leaves the Service as soon as it stops pulling.
            httpGet: {path: /readyz, port: metrics}
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 2
          {{- end }}
          {{- if $preStop }}
          lifecycle:
            preStop:
              exec:
                command: ["sleep", "{{ $preStop }}"]
          {{- end }}
          resources:
            {{- include "toolmesh.resources" (dict "root" $root "values" $v "shareKey" .shareKey) | nindent 12 }}
          securityContext:
            {{- .securityContext | default (toYaml $root.Values.containerSecurityContext) | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $creds }}
            - name: nats-creds
              mountPath: /etc/toolmesh/nats
              readOnly: true
            {{- end }}
            {{- with .volumeMounts }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with (concat ($root.Values.extraVolumeMounts | default list) ($v.extraVolumeMounts | default list)) }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $root.Values.tmpSizeLimit }}
        {{- if $creds }}
        - name: nats-creds
          secret:
            secretName: {{ dir $creds }}
            items:
              - key: {{ base $creds }}
                path: nats.creds
        {{- end }}
        {{- with .volumes }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with (concat ($root.Values.extraVolumes | default list) ($v.extraVolumes | default list)) }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with ($v.nodeSelector | default $root.Values.nodeSelector) }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with ($v.tolerations | default $root.Values.tolerations) }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (include "toolmesh.topologySpread" (dict "root" $root "values" $v "ctx" $ctx)) }}
      topologySpreadConstraints:
        {{- . | nindent 8 }}
      {{- end }}
      affinity:
        {{- with ($v.affinity | default $root.Values.affinity) }}
        {{- toYaml . | nindent 8 }}
        {{- else }}
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- include "toolmesh.selectorLabels" $ctx | nindent 20 }}
        {{- end }}
{{- end -}}

{{/* ClusterIP Service: metrics for every service, plus `ports` (YAML list text). */}}
{{- define "toolmesh.service" -}}
{{- $ctx := dict "root" .root "component" .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "toolmesh.componentName" $ctx }}
  labels:
    {{- include "toolmesh.labels" $ctx | nindent 4 }}
spec:
  type: {{ .serviceType | default "ClusterIP" }}
  selector:
    {{- include "toolmesh.selectorLabels" $ctx | nindent 4 }}
  ports:
    - name: metrics
      port: {{ .root.Values.metrics.port }}
      targetPort: metrics
      protocol: TCP
    {{- with .servicePorts }}
    {{- . | nindent 4 }}
    {{- end }}
{{- end -}}

{{/* HorizontalPodAutoscaler (autoscaling/v2), only when values.autoscaling.enabled. */}}
{{- define "toolmesh.hpa" -}}
{{- $a := .values.autoscaling | default dict -}}
{{- if $a.enabled }}
{{- $ctx := dict "root" .root "component" .component -}}
{{- $max := $a.maxReplicas | int -}}
{{- /* ownBounds: the autoscaler caps this HPA but does not move its bounds (the coordinator's). */ -}}
{{- $byAutoscaler := and .root.Values.autoscaler.enabled (not .ownBounds) -}}
{{- if .root.Values.autoscaler.enabled -}}
{{- $max = min $max (.root.Values.autoscaler.maxInstances | int) -}}
{{- end -}}
{{- $min := min ($a.minReplicas | int) $max -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "toolmesh.componentName" $ctx }}
  labels:
    {{- include "toolmesh.labels" $ctx | nindent 4 }}
  annotations:
    # The autoscaler moves minReplicas/maxReplicas within [1, maxInstances];
    # the HPA then moves replicas between them on CPU.
    toolmesh.dev/managed-bounds: {{ ternary "autoscaler" "chart" $byAutoscaler | quote }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "toolmesh.componentName" $ctx }}
  minReplicas: {{ $min }}
  maxReplicas: {{ $max }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage | default 70 | int }}
    {{- with $a.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . | int }}
    {{- end }}
  {{- with ($a.behavior | default .root.Values.autoscalingBehavior) }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* PodDisruptionBudget, only when values.podDisruptionBudget.enabled. */}}
{{- define "toolmesh.pdb" -}}
{{- $p := .values.podDisruptionBudget | default dict -}}
{{- if $p.enabled }}
{{- $ctx := dict "root" .root "component" .component -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "toolmesh.componentName" $ctx }}
  labels:
    {{- include "toolmesh.labels" $ctx | nindent 4 }}
spec:
  maxUnavailable: {{ $p.maxUnavailable | default 1 }}
  selector:
    matchLabels:
      {{- include "toolmesh.selectorLabels" $ctx | nindent 6 }}
{{- end }}
{{- end -}}

{{/* ServiceMonitor, only when metrics.serviceMonitor.enabled. */}}
{{- define "toolmesh.serviceMonitor" -}}
{{- if and .root.Values.metrics.serviceMonitor.enabled (include "toolmesh.monitoringApi" .root) }}
{{- $ctx := dict "root" .root "component" .component -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "toolmesh.componentName" $ctx }}
  labels:
    {{- include "toolmesh.labels" $ctx | nindent 4 }}
    {{- with .root.Values.metrics.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "toolmesh.selectorLabels" $ctx | nindent 6 }}
  endpoints:
    - port: metrics
      path: /metrics
      interval: {{ .root.Values.metrics.serviceMonitor.interval }}
{{- end }}
{{- end -}}

{{/* Service, Deployment, HPA, PDB, ServiceMonitor, ServiceAccount and NetworkPolicy of one service. */}}
{{- define "toolmesh.component" -}}
{{ include "toolmesh.deployment" . }}
{{- with (include "toolmesh.serviceAccount" .) }}
---
{{ . }}
{{- end }}
{{- with (include "toolmesh.networkPolicy" .) }}
---
{{ . }}
{{- end }}
---
{{ include "toolmesh.service" . }}
{{- with (include "toolmesh.hpa" .) }}
---
{{ . }}
{{- end }}
{{- with (include "toolmesh.pdb" .) }}
---
{{ . }}
{{- end }}
{{- with (include "toolmesh.serviceMonitor" .) }}
---
{{ . }}
{{- end }}
{{- end -}}
