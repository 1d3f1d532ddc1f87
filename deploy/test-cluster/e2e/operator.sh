# shellcheck shell=bash
# The real operator as a local process, authenticated as the operator's ServiceAccount from
# deploy/operator (so its least-privilege RBAC is what the tests exercise), production profile
# (server-side apply on, leader election on), with the environment of deploy/operator's
# Deployment. Sourced by run.sh.
#
#   operator_kubeconfig        writes $E2E_DIR/operator.kubeconfig: the cluster, a token of
#                              ServiceAccount kubetune-system/kubetune-operator, namespace
#                              kubetune-system
#   operator_start             starts java -jar operator/target/quarkus-app/quarkus-run.jar and
#                              waits until it leads and reconciles (identity e2e-operator-N)
#   operator_kill [SIGNAL [SECS]]  stops it (default TERM) and waits for the process to end
#   operator_exit_status       how the last one ended
#
# The log of every start goes to $OP_LOG (appended, one "=== start N" line per start).

OP_NS=kubetune-system
OP_SA=kubetune-operator
OP_JAR="$REPO/operator/target/quarkus-app/quarkus-run.jar"
OP_PID_FILE="$E2E_DIR/operator.pid"
OP_STARTS_FILE="$E2E_DIR/operator.starts"
OP_EXIT_FILE="$E2E_DIR/operator.exit"

operator_kubeconfig() {
  local server ca token out="$E2E_DIR/operator.kubeconfig"
  server="$(kubectl config view --minify -o 'jsonpath={.clusters[0].cluster.server}')"
  ca="$(kubectl config view --minify -o 'jsonpath={.clusters[0].cluster.certificate-authority}')"
  token="$(kubectl -n "$OP_NS" create token "$OP_SA" --duration=2h)"
  rm -f "$out"
  kubectl --kubeconfig "$out" config set-cluster e2e --server="$server" \
    --certificate-authority="$ca" --embed-certs >/dev/null
  kubectl --kubeconfig "$out" config set-credentials "$OP_SA" --token="$token" >/dev/null
  kubectl --kubeconfig "$out" config set-context operator --cluster=e2e --user="$OP_SA" \
    --namespace="$OP_NS" >/dev/null
  kubectl --kubeconfig "$out" config use-context operator >/dev/null
  chmod 600 "$out"
  local who
  who="$(kubectl --kubeconfig "$out" auth whoami -o 'jsonpath={.status.userInfo.username}')"
  [[ "$who" == "system:serviceaccount:$OP_NS:$OP_SA" ]] ||
    { echo "operator kubeconfig authenticates as '$who'" >&2; return 1; }
  echo "$out"
}

# NAME=VALUE lines: the plain env of the operator container in deploy/operator, as installed
# (KUBERNETES_NAMESPACE comes from the downward API there: the pod's namespace).
operator_env() {
  kubectl -n "$OP_NS" get deployment kubetune-operator -o \
    'jsonpath={range .spec.template.spec.containers[0].env[?(@.value)]}{.name}={.value}{"\n"}{end}'
  echo "KUBERNETES_NAMESPACE=$OP_NS"
}

operator_running() {
  [[ -f "$OP_PID_FILE" ]] && kill -0 "$(cat "$OP_PID_FILE")" 2>/dev/null
}

operator_start() {
  local timeout="${1:-90}"
  operator_running && { echo "operator already running (pid $(cat "$OP_PID_FILE"))" >&2; return 1; }
  [[ -f "$OP_JAR" ]] || { echo "no $OP_JAR: build the operator first" >&2; return 1; }
  local n=$(($(cat "$OP_STARTS_FILE" 2>/dev/null || echo 0) + 1))
  echo "$n" >"$OP_STARTS_FILE"
  local identity="e2e-operator-$n" from
  echo "=== start $n ($identity) $(date -u +%FT%TZ)" >>"$OP_LOG"
  from=$(wc -l <"$OP_LOG")
  local -a env=()
  mapfile -t env < <(operator_env)
  rm -f "$OP_PID_FILE" "$OP_EXIT_FILE"
  # HOSTNAME is the leader-election identity (a pod's name in the cluster); port 0: any free port.
  # The wrapper records the exit status (operator_exit_status).
  (
    cd "$REPO" || exit 1
    env -i PATH="$PATH" HOME="$HOME" JAVA_HOME="${JAVA_HOME:-}" \
      KUBECONFIG="$OP_KUBECONFIG" HOSTNAME="$identity" \
      QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=0 \
      "${env[@]}" \
      java -Xmx384m -jar "$OP_JAR" </dev/null >>"$OP_LOG" 2>&1 &
    echo $! >"$OP_PID_FILE.tmp"
    mv "$OP_PID_FILE.tmp" "$OP_PID_FILE"
    rc=0
    wait $! || rc=$?
    echo "$rc" >"$OP_EXIT_FILE"
  ) </dev/null >/dev/null 2>&1 {E2E_LOCK_FD}>&- &
  until [[ -f "$OP_PID_FILE" ]]; do sleep 0.1; done
  # It reconciles once it leads: "New leader with identity: e2e-operator-N" and the controllers'
  # event processing started. A predecessor that did not release the Lease delays this by up to
  # the lease duration (15 s).
  local deadline=$(($(date +%s) + timeout))
  until tail -n "+$((from + 1))" "$OP_LOG" | grep -q "New leader with identity: $identity"; do
    if ! operator_running; then
      echo "operator exited during start-up; log: $OP_LOG" >&2
      tail -n 30 "$OP_LOG" >&2
      return 1
    fi
    if (($(date +%s) >= deadline)); then
      echo "operator $identity did not become leader within ${timeout}s; log: $OP_LOG" >&2
      tail -n 30 "$OP_LOG" >&2
      return 1
    fi
    sleep 0.5
  done
  local port=""
  while [[ -z "$port" ]] && (($(date +%s) < deadline)); do
    port="$(tail -n "+$((from + 1))" "$OP_LOG" | sed -n 's|.*Listening on: http://127.0.0.1:\([0-9]*\).*|\1|p' | tail -n 1)"
    [[ -n "$port" ]] || sleep 0.2
  done
  echo "$port" >"$E2E_DIR/operator.port"
  echo "operator $identity (pid $(cat "$OP_PID_FILE")) leads; http://127.0.0.1:$port/q/health"
}

# Sends SIGNAL (default TERM) and waits up to SECS (default 30, a pod's default termination grace
# period) for the process to end; then SIGKILL, as the kubelet would. Returns 1 if SIGKILL was
# needed.
operator_kill() {
  local signal="${1:-TERM}" secs="${2:-30}" pid rc=0
  operator_running || return 0
  pid="$(cat "$OP_PID_FILE")"
  kill "-$signal" "$pid" 2>/dev/null || true
  local end=$(($(date +%s) + secs))
  while kill -0 "$pid" 2>/dev/null && (($(date +%s) < end)); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "operator pid $pid still running ${secs}s after SIG$signal: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    rc=1
  fi
  for _ in $(seq 1 50); do
    [[ -f "$OP_EXIT_FILE" ]] && break
    sleep 0.1
  done
  rm -f "$OP_PID_FILE"
  return "$rc"
}

# The exit status of the last operator process once it has ended (143: SIGTERM, 137: SIGKILL).
operator_exit_status() {
  cat "$OP_EXIT_FILE" 2>/dev/null
}
