#!/usr/bin/env bash
# Tails firing alerts: prints every alert when it starts firing and again when
# it resolves, polling an Alertmanager (GET /api/v2/alerts, the documented v2
# API: a JSON array of {labels, annotations, startsAt, fingerprint, status})
# or, with --prometheus, a Prometheus server (GET /api/v1/alerts).
#
#   deploy/scripts/monitor.sh --url URL [--interval SECONDS] [--match LABEL=VALUE]... [--prometheus] [--once]
#
# --url URL          Alertmanager (or Prometheus) base URL, e.g. http://alertmanager:9093
# --interval N       seconds between polls (default 15)
# --match L=V        only alerts whose label L equals V; repeatable (default: none)
# --prometheus       read Prometheus's /api/v1/alerts instead of Alertmanager's API
# --once             poll once, print the firing alerts and exit (exit 1 when any fires)
#
# Needs curl and node (≥ 18; the repository's toolchain) to read the JSON.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

die() {
  echo "monitor.sh: $*" >&2
  echo "Usage: monitor.sh --url URL [--interval SECONDS] [--match LABEL=VALUE] [--prometheus] [--once]  (--help for more)" >&2
  exit 2
}

need_value() {
  [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || die "$1 needs a value"
}

url=""
interval=15
once=false
api=alertmanager
matches=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --url) need_value "$@"; url="$2"; shift 2 ;;
    --url=*) url="${1#*=}"; shift ;;
    --interval) need_value "$@"; interval="$2"; shift 2 ;;
    --interval=*) interval="${1#*=}"; shift ;;
    --match) need_value "$@"; matches+=("$2"); shift 2 ;;
    --match=*) matches+=("${1#*=}"); shift ;;
    --prometheus) api=prometheus; shift ;;
    --once) once=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done

[[ -n "$url" ]] || die "--url is required (an Alertmanager such as http://alertmanager:9093, or Prometheus with --prometheus)"
[[ "$url" =~ ^https?:// ]] || die "--url must start with http:// or https://, got '$url'"
[[ "$interval" =~ ^[1-9][0-9]*$ ]] || die "--interval must be a whole number of seconds ≥ 1, got '$interval'"
for m in ${matches[@]+"${matches[@]}"}; do
  [[ "$m" =~ ^[a-zA-Z_][a-zA-Z0-9_]*=.*$ ]] || die "--match must look like LABEL=VALUE, got '$m'"
done
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v node >/dev/null 2>&1 || die "node is required to read the alerts' JSON"

url="${url%/}"
if [[ "$api" == prometheus ]]; then
  endpoint="$url/api/v1/alerts"
else
  endpoint="$url/api/v2/alerts?active=true&silenced=false&inhibited=false"
fi

state="$(mktemp -t toolmesh-monitor.XXXXXX)"
trap 'rm -f "$state"' EXIT

# stdin: the API's JSON. argv: api, state file, once, matches. Prints one line per
# change (FIRING/RESOLVED), keeps the firing set in the state file; exit 3 = some fire (once).
read -r -d '' reader <<'JS' || true
const fs = require("node:fs");
const [api, stateFile, once, ...matches] = process.argv.slice(1);
const body = JSON.parse(fs.readFileSync(0, "utf8"));
let alerts = api === "prometheus"
  ? (body.data?.alerts ?? []).filter((a) => a.state === "firing").map((a) => ({ ...a, startsAt: a.activeAt }))
  : body.filter((a) => (a.status?.state ?? "active") === "active");
alerts = alerts.filter((a) => matches.every((m) => { const i = m.indexOf("="); return a.labels?.[m.slice(0, i)] === m.slice(i + 1); }));
const key = (a) => a.fingerprint ?? JSON.stringify(Object.entries(a.labels ?? {}).sort());
const line = (a) => {
  const { alertname = "?", severity = "-", ...rest } = a.labels ?? {};
  const labels = Object.entries(rest).filter(([k]) => !["prometheus", "threshold"].includes(k)).map(([k, v]) => `${k}=${v}`).join(" ");
  const summary = a.annotations?.summary ?? a.annotations?.description ?? "";
  return `${alertname} [${severity}] ${labels}${summary ? ` — ${summary}` : ""} (since ${a.startsAt ?? "?"})`;
};
const before = new Map(Object.entries(JSON.parse(fs.readFileSync(stateFile, "utf8") || "{}")));
const now = new Map(alerts.map((a) => [key(a), line(a)]));
const time = new Date().toISOString().slice(11, 19);
for (const [k, text] of now) if (!before.has(k)) console.log(`${time} FIRING   ${text}`);
for (const [k, text] of before) if (!now.has(k)) console.log(`${time} RESOLVED ${text}`);
if (once === "true" && now.size === 0) console.log(`${time} no alerts firing`);
fs.writeFileSync(stateFile, JSON.stringify(Object.fromEntries(now)));
process.exitCode = once === "true" && now.size > 0 ? 3 : 0;
JS

echo "monitor.sh: watching $endpoint every ${interval}s (Ctrl-C stops)" >&2
while true; do
  status=0
  if body="$(curl --silent --show-error --fail --max-time 10 "$endpoint")"; then
    printf '%s' "$body" | node -e "$reader" "$api" "$state" "$once" ${matches[@]+"${matches[@]}"} || status=$?
  else
    echo "$(date -u +%H:%M:%S) monitor.sh: cannot read $endpoint" >&2
    [[ "$once" == true ]] && exit 2
  fi
  if [[ "$once" == true ]]; then
    [[ "$status" -eq 3 ]] && exit 1
    exit "$status"
  fi
  sleep "$interval"
done
