{{/*
NATS logins by role (issue 10): the chart's copy of libs/core/src/nats-roles.ts
natsRolePermissions. deploy/test/nats-auth-chart.test.ts renders it for several
value sets and compares every role with natsRolePermissions(pools), so an edit
to one that is not made to the other fails the tests.
*/}}

{{/* The vendored server's name, as charts/nats names it. */}}
{{- define "toolmesh.natsFullname" -}}
{{- .Values.nats.fullnameOverride | default (printf "%s-nats" .Release.Name) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Per-role logins are on: nats.auth.enabled. */}}
{{- define "toolmesh.natsAuth" -}}
{{- if .Values.nats.auth.enabled }}true{{ end -}}
{{- end -}}

{{/*
The Secret with each role's `<role>-user` and `<role>-password` (or, with
nats.auth.type=creds, `<role>.creds`): nats.auth.existingSecret, else the one
generated for the vendored server. An external server cannot know passwords
the chart makes up, so with it the Secret must be the user's.
*/}}
{{- define "toolmesh.natsAuthSecret" -}}
{{- $a := .Values.nats.auth -}}
{{- if and .Values.nats.enabled (eq ($a.type | default "password") "creds") -}}
{{- fail "nats.auth.type=creds needs an external NATS with JWT accounts (nats.enabled=false) and nats.auth.existingSecret; the vendored server takes user/password logins" -}}
{{- else if $a.existingSecret -}}
{{- $a.existingSecret -}}
{{- else if not .Values.nats.enabled -}}
{{- fail "nats.auth.existingSecret is required with nats.enabled=false and nats.auth.enabled: a Secret with each role's <role>-user and <role>-password (or <role>.creds with nats.auth.type=creds), see deploy/README.md \"NATS credentials\"; or nats.auth.enabled=false for the shared secrets.keys.nats* login" -}}
{{- else -}}
{{- printf "%s-auth" (include "toolmesh.natsFullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The pools the chart deploys, as natsRolePermissions names them (JSON list). */}}
{{- define "toolmesh.natsPools" -}}
{{- $pools := list "codebase" "web" -}}
{{- if .Values.bash.enabled }}{{ $pools = append $pools "bash" }}{{ end -}}
{{- if .Values.agent.enabled }}{{ $pools = append $pools "agent" }}{{ end -}}
{{- range $name, $_ := .Values.mcpPools }}{{ $pools = append $pools (printf "mcp-%s" $name) }}{{ end -}}
{{- toJson $pools -}}
{{- end -}}

{{/*
Role → {publish: {allow, deny}, subscribe: {allow}, allow_responses} (JSON),
for every role natsRolePermissions gives for the chart's pools.
*/}}
{{- define "toolmesh.natsRolePermissions" -}}
{{- $pools := include "toolmesh.natsPools" . | fromJsonArray -}}
{{- /* libs/core POOLS: `toolmesh top` looks at every native pool's queue, deployed or not. */ -}}
{{- $native := list "codebase" "web" "bash" "agent" "test" -}}
{{- $services := dict "codebase" "codebase" "web" "web-search" "bash" "bash" "agent" "agent" "test" "testpool" -}}
{{- $queueInfo := list "$JS.API.INFO" -}}
{{- range concat $native $pools | uniq -}}
{{- $queueInfo = concat $queueInfo (list (printf "$JS.API.STREAM.INFO.TM_TASKS_%s" (upper .)) (printf "$JS.API.CONSUMER.INFO.TM_TASKS_%s.workers" (upper .))) -}}
{{- end -}}
{{- $roles := dict -}}
{{- $_ := set $roles "coordinator" (dict
  "publish" (dict "allow" (list "$JS.API.>" "tm.data.task.>" "tm.cmd.cancel" "tm.cmd.coordinator.>" "tm.evt.>" "$JS.ACK.TM_RESULTS.*.>" "$JS.ACK.*.workers.>" "$JS.FC.>" "$KV.>" "$O.TM_OUTPUTS.>"))
  "subscribe" (dict "allow" (list "tm.evt.>" "tm.data.chunk.>" "tm.data.reply.>" "tm.metrics.>" "tm.cmd.coordinator.>" "_INBOX_coordinator.>"))
  "allow_responses" (dict "max" 1 "expires" "1m")) -}}
{{- $observerSub := list "tm.metrics.>" "tm.evt.pool.>" -}}
{{- $_ = set $roles "observer" (dict "publish" (dict "allow" $queueInfo) "subscribe" (dict "allow" (append $observerSub "_INBOX_observer.>"))) -}}
{{- $_ = set $roles "autoscaler" (dict "publish" (dict "allow" (append $queueInfo "tm.evt.pool.*.scale")) "subscribe" (dict "allow" (list "tm.metrics.>" "_INBOX_autoscaler.>"))) -}}
{{- $commands := list "tm.cmd.cancel" "tm.cmd.ping" -}}
{{- range $pools }}{{ $commands = concat $commands (list (printf "tm.cmd.pool.%s.set-limit" .) (printf "tm.cmd.pool.%s.drain" .)) }}{{ end -}}
{{- $_ = set $roles "operator" (dict "publish" (dict "allow" (concat $queueInfo $commands)) "subscribe" (dict "allow" (append $observerSub "_INBOX_operator.>"))) -}}
{{- range $pool := $pools -}}
{{- $stream := printf "TM_TASKS_%s" (upper $pool) -}}
{{- $mcpName := ternary (trimPrefix "mcp-" $pool) "" (hasPrefix "mcp-" $pool) -}}
{{- $allow := list "$JS.API.INFO" (printf "$JS.API.STREAM.INFO.%s" $stream) -}}
{{- /* An MCP pool's worker makes its own queue; a native pool's is the coordinator's. */ -}}
{{- if $mcpName }}{{ $allow = append $allow (printf "$JS.API.STREAM.CREATE.%s" $stream) }}{{ end -}}
{{- $allow = concat $allow (list
  "$JS.API.STREAM.INFO.TM_EVENTS" "$JS.API.STREAM.INFO.TM_RESULTS"
  (printf "$JS.API.CONSUMER.CREATE.%s.workers" $stream) (printf "$JS.API.CONSUMER.INFO.%s.workers" $stream)
  (printf "$JS.API.CONSUMER.MSG.NEXT.%s.workers" $stream) (printf "$JS.ACK.%s.workers.>" $stream)
  "tm.data.result.>" "tm.data.reply.>" "tm.data.chunk.>" "tm.evt.*.task.started" "tm.evt.*.task.progress"
  (printf "tm.evt.pool.%s.limit" $pool) (printf "tm.metrics.%s.>" (ternary "mcp-pool" (get $services $pool) (not (hasKey $services $pool))))
  "$JS.API.STREAM.INFO.KV_TM_LIMITS" (printf "$JS.API.DIRECT.GET.KV_TM_LIMITS.$KV.TM_LIMITS.%s" $pool)
  "$JS.API.STREAM.CREATE.KV_TM_LIMITS" (printf "$KV.TM_LIMITS.%s" $pool)
  "$JS.API.STREAM.INFO.KV_TM_ATTEMPTS" (printf "$JS.API.DIRECT.GET.KV_TM_ATTEMPTS.$KV.TM_ATTEMPTS.%s.>" $pool) (printf "$KV.TM_ATTEMPTS.%s.>" $pool)
  "$JS.API.STREAM.INFO.OBJ_TM_OUTPUTS" "$O.TM_OUTPUTS.C.>" "$O.TM_OUTPUTS.M.>") -}}
{{- if $mcpName -}}
{{- $allow = concat $allow (list
  "$JS.API.STREAM.INFO.KV_TM_CATALOG" (printf "$JS.API.DIRECT.GET.KV_TM_CATALOG.$KV.TM_CATALOG.%s.>" $mcpName)
  (printf "$JS.API.CONSUMER.CREATE.KV_TM_CATALOG.*.$KV.TM_CATALOG.%s.>" $mcpName) "$JS.API.CONSUMER.MSG.NEXT.KV_TM_CATALOG.*"
  "$JS.API.CONSUMER.INFO.KV_TM_CATALOG.*" "$JS.API.CONSUMER.DELETE.KV_TM_CATALOG.*" (printf "$KV.TM_CATALOG.%s.>" $mcpName)) -}}
{{- end -}}
{{- $_ = set $roles (printf "pool-%s" $pool) (dict
  "publish" (dict "allow" $allow "deny" (list "tm.data.task.>" "tm.cmd.>" "$KV.TM_WORKFLOWS.>"))
  "subscribe" (dict "allow" (list "tm.cmd.cancel" "tm.cmd.ping" (printf "tm.cmd.pool.%s.>" $pool) (printf "_INBOX_pool-%s.>" $pool)))
  "allow_responses" (dict "max" 1 "expires" "1m")) -}}
{{- end -}}
{{- toJson $roles -}}
{{- end -}}

{{/*
nats-server's `authorization { users = [...] }`, one user per role, each line
`{ user: $<role>-user, password: $<role>-password, permissions: <JSON> }`.
The `$` names are variables nats-server takes from its environment (the
Secret, envFrom): no password is in the ConfigMap. No default_permissions and
no no_auth_user: a client without a login is refused at connect.
*/}}
{{- define "toolmesh.natsAuthorization" -}}
authorization {
  users = [
{{- range $role, $perms := include "toolmesh.natsRolePermissions" . | fromJson }}
    { user: ${{ $role }}-user, password: ${{ $role }}-password, permissions: {{ toJson $perms | replace "\\u003e" ">" }} }
{{- end }}
  ]
}
{{- end -}}

{{/* A workload's NATS env: its role's login, or the shared secrets.keys.nats* one when nats.auth is off. dict root, role ("" = none). */}}
{{- define "toolmesh.natsEnv" -}}
{{- $root := .root -}}
{{- if not .role -}}
{{- else if include "toolmesh.natsAuth" $root -}}
{{- $secret := include "toolmesh.natsAuthSecret" $root }}
{{- if ne ($root.Values.nats.auth.type | default "password") "creds" }}
- name: TOOLMESH_NATS_USER
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ .role }}-user}
- name: TOOLMESH_NATS_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ .role }}-password}
{{- else }}
- name: TOOLMESH_NATS_CREDS
  value: /etc/toolmesh/nats/nats.creds
{{- end }}
- name: TOOLMESH_NATS_INBOX_PREFIX
  value: _INBOX_{{ .role }}
{{- else -}}
{{- include "toolmesh.natsSecretEnv" $root }}
{{- end -}}
{{- end -}}

{{/* Where a .creds file is mounted: the role's (nats.auth.type=creds) or the shared one; "" = none. dict root, role. */}}
{{- define "toolmesh.natsCredsItem" -}}
{{- $root := .root -}}
{{- if not .role -}}
{{- else if include "toolmesh.natsAuth" $root -}}
{{- if eq ($root.Values.nats.auth.type | default "password") "creds" -}}
{{- printf "%s/%s.creds" (include "toolmesh.natsAuthSecret" $root) .role -}}
{{- end -}}
{{- else if and $root.Values.secrets.mountNatsCreds (include "toolmesh.secretName" $root) -}}
{{- printf "%s/%s" (include "toolmesh.secretName" $root) $root.Values.secrets.keys.natsCreds -}}
{{- end -}}
{{- end -}}
