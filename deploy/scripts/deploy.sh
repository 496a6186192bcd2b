#!/usr/bin/env bash
# Installs or upgrades toolmesh with Helm, capping the autoscaler.
#
#   deploy/scripts/deploy.sh --max-instances N [--namespace NS] [--values FILE]...
#                            [--release NAME] [--dry-run] [-- HELM_ARGS...]
#
# --max-instances N  the most replicas the autoscaler gives any pool (required;
#                    sets autoscaler.maxInstances, which also caps every pool HPA)
# --namespace NS     target namespace, created when missing (default: toolmesh)
# --values FILE      a values file; repeatable, later files win (--max-instances wins over all)
# --release NAME     Helm release name (default: toolmesh)
# --dry-run          render the manifests with `helm template` to stdout; no cluster needed
# -- HELM_ARGS       passed to helm as they are (e.g. -- --set image.tag=1.2.3)
#
# HELM names the helm binary (default: helm on PATH).
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

die() {
  echo "deploy.sh: $*" >&2
  echo "Usage: deploy.sh --max-instances N [--namespace NS] [--values FILE] [--release NAME] [--dry-run]  (--help for more)" >&2
  exit 2
}

# Reads the value of an option given as `--opt value` or `--opt=value`.
need_value() {
  [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || die "$1 needs a value"
}

HELM="${HELM:-helm}"
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chart="$(cd "$script_dir/../helm/toolmesh" && pwd)"

max_instances=""
namespace="toolmesh"
release="toolmesh"
dry_run=false
values_args=()
helm_args=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --max-instances) need_value "$@"; max_instances="$2"; shift 2 ;;
    --max-instances=*) max_instances="${1#*=}"; shift ;;
    --namespace|-n) need_value "$@"; namespace="$2"; shift 2 ;;
    --namespace=*) namespace="${1#*=}"; shift ;;
    --values|-f) need_value "$@"; values_args+=(--values "$2"); [[ -f "$2" ]] || die "--values $2: no such file"; shift 2 ;;
    --values=*) values_args+=(--values "${1#*=}"); [[ -f "${1#*=}" ]] || die "--values ${1#*=}: no such file"; shift ;;
    --release) need_value "$@"; release="$2"; shift 2 ;;
    --release=*) release="${1#*=}"; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; helm_args=("$@"); break ;;
    *) die "unknown argument: $1" ;;
  esac
done

[[ -n "$max_instances" ]] || die "--max-instances N is required: the most replicas the autoscaler may give any pool (a whole number ≥ 1)"
[[ "$max_instances" =~ ^[1-9][0-9]{0,3}$ ]] || die "--max-instances must be a whole number from 1 to 9999, got '$max_instances'"
[[ "$namespace" =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || die "--namespace '$namespace' is not a valid namespace (lower-case letters, digits and '-', at most 63)"
[[ "$release" =~ ^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$ ]] || die "--release '$release' is not a valid release name (lower-case letters, digits and '-', at most 53)"
command -v "$HELM" >/dev/null 2>&1 || die "helm not found (looked for '$HELM'); install Helm 3.8+ or set HELM=/path/to/helm"

common=(
  "$release" "$chart"
  --namespace "$namespace"
  ${values_args[@]+"${values_args[@]}"}
  --set "autoscaler.maxInstances=$max_instances"
  ${helm_args[@]+"${helm_args[@]}"}
)

if [[ "$dry_run" == true ]]; then
  echo "deploy.sh: dry run: rendering $release into namespace $namespace with at most $max_instances instances per pool" >&2
  exec "$HELM" template "${common[@]}"
fi

echo "deploy.sh: installing $release into namespace $namespace with at most $max_instances instances per pool" >&2
exec "$HELM" upgrade --install "${common[@]}" --create-namespace
