#!/usr/bin/env bash
# Checks the Helm chart deploy/helm/kubetune against the kustomization deploy/operator, so the two
# never drift, with helm built from the Go module proxy (deploy/tools/build.sh helm, cached) and
# the test cluster's kubectl for `kubectl kustomize`:
#
#   1. the chart's crds/ are the generated crds/, byte for byte;
#   2. helm lint --strict, with the default values and with every optional object on;
#   3. helm template (release kubetune, namespace kubetune-system, namespace.create=true) renders
#      the same objects as `kubectl kustomize deploy/operator`, apart from Helm's own labels
#      (same_objects.py);
#   4. the values do what values.yaml says (image, replicas, resources, trainer image, watched
#      namespaces, metrics objects, the Grafana dashboard ConfigMap).
#
# Prints "N passed, N failed"; exit status 0 only when all passed. KUBETUNE_CACHE as elsewhere.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CHART="$HERE/kubetune"
OUT="${HELM_TEST_DIR:-$REPO/target/helm-test}"
rm -rf "$OUT"
mkdir -p "$OUT"

HELM="$("$REPO/deploy/tools/build.sh" helm | tail -n 1)/helm"
KUBECTL="$("$REPO/deploy/test-cluster/build.sh" | tail -n 1)/kubectl"
export HELM_CACHE_HOME="$OUT/helm-home/cache" HELM_CONFIG_HOME="$OUT/helm-home/config" \
  HELM_DATA_HOME="$OUT/helm-home/data"
"$HELM" version

passed=0
failed=0
check() { # NAME CMD...
  local name="$1" rc
  shift
  # the check runs in a subshell with errexit, not as an if condition (where bash ignores
  # errexit): its first failing command fails it
  set +e
  (
    set -e
    "$@"
  ) >"$OUT/$name.log" 2>&1
  rc=$?
  set -e
  if ((rc == 0)); then
    passed=$((passed + 1))
    echo "ok: $name"
  else
    failed=$((failed + 1))
    echo "FAIL: $name"
    sed 's/^/  /' "$OUT/$name.log"
  fi
}

crds_in_sync() {
  diff -r "$REPO/crds" "$CHART/crds" --exclude=kustomization.yaml
  [[ "$(cd "$REPO/crds" && ls ./*.yml)" == "$(cd "$CHART/crds" && ls ./*.yml)" ]]
}

ALL_ON=(--set metrics.serviceMonitor.enabled=true --set metrics.podMonitor.enabled=true
  --set grafana.dashboard.enabled=true --set namespace.create=true)

same_as_kustomize() {
  "$KUBECTL" kustomize "$REPO/deploy/operator" >"$OUT/kustomize.yaml"
  "$HELM" template kubetune "$CHART" --namespace kubetune-system --include-crds \
    --set namespace.create=true >"$OUT/helm.yaml"
  python3 "$HERE/same_objects.py" "$OUT/kustomize.yaml" "$OUT/helm.yaml"
}

# jsonpath over the one object of KIND named NAME in a rendered stream.
jp() { # FILE KIND NAME JSONPATH
  python3 - "$@" <<'EOF'
import json, sys, yaml
path, kind, name, expr = sys.argv[1:]
docs = [d for d in yaml.safe_load_all(open(path)) if d]
hits = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
if len(hits) != 1:
    sys.exit(f"{len(hits)} {kind} named {name}")
value = hits[0]
for part in expr.split("."):
    value = value[int(part)] if isinstance(value, list) else value[part]
print(value if isinstance(value, str) else json.dumps(value, sort_keys=True))
EOF
}

expect() { # WHAT ACTUAL EXPECTED
  [[ "$2" == "$3" ]] || { echo "$1: expected '$3', got '$2'"; return 1; }
  echo "$1 = $3"
}

values_apply() {
  local f="$OUT/values.yaml"
  "$HELM" template ml "$CHART" --namespace ml-system "${ALL_ON[@]}" \
    --set image.repository=registry.example/kubetune/operator --set image.tag=0.1.1 \
    --set replicaCount=3 --set resources.limits.memory=1Gi \
    --set trainer.image=registry.example/kubetune/trainer:0.1.1 \
    --set 'watchNamespaces={team-a,team-b}' >"$f"
  local d=ml-operator c=spec.template.spec.containers.0
  expect image "$(jp "$f" Deployment $d "$c.image")" registry.example/kubetune/operator:0.1.1
  expect replicas "$(jp "$f" Deployment $d spec.replicas)" 3
  expect memory "$(jp "$f" Deployment $d "$c.resources.limits.memory")" 1Gi
  expect "trainer image" "$(jp "$f" Deployment $d "$c.env.3.value")" registry.example/kubetune/trainer:0.1.1
  expect "watched namespaces" "$(jp "$f" Deployment $d "$c.env.1.value")" team-a,team-b
  expect "binding subject" "$(jp "$f" ClusterRoleBinding $d subjects.0.namespace)" ml-system
  expect "service monitor" "$(jp "$f" ServiceMonitor $d spec.endpoints.0.path)" /q/metrics
  expect "trainer pod monitor" "$(jp "$f" PodMonitor $d-trainers spec.podMetricsEndpoints.0.port)" status
  expect "server pod monitor" "$(jp "$f" PodMonitor $d-servers spec.podMetricsEndpoints.0.port)" http
  # the dashboard ConfigMap carries the dashboard file unchanged
  jp "$f" ConfigMap $d-dashboard data >"$OUT/dashboard-data.json"
  python3 - "$OUT/dashboard-data.json" "$CHART/files/grafana-dashboard.json" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
assert json.loads(data["kubetune.json"]) == json.load(open(sys.argv[2])), "dashboard differs"
print("dashboard ConfigMap = files/grafana-dashboard.json")
EOF
  # default values: no Prometheus Operator objects, no dashboard, no namespace
  "$HELM" template kubetune "$CHART" --namespace kubetune-system >"$OUT/defaults.yaml"
  expect "kinds with default values" \
    "$(python3 -c 'import sys,yaml; print(" ".join(sorted(d["kind"] for d in yaml.safe_load_all(open(sys.argv[1])) if d)))' "$OUT/defaults.yaml")" \
    "ClusterRole ClusterRoleBinding Deployment Role RoleBinding Service ServiceAccount"
}

check chart-crds-in-sync crds_in_sync
check helm-lint "$HELM" lint --strict "$CHART"
check helm-lint-all-on "$HELM" lint --strict "$CHART" "${ALL_ON[@]}"
check helm-template-equals-kustomize same_as_kustomize
check helm-values-apply values_apply
echo "$passed passed, $failed failed"
((failed == 0))
