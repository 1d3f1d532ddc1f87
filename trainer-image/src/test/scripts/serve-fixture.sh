# Sourced by the client test scripts (openai/run.sh, web/run.sh, bench/serve_load.sh):
#   start_server LOG [kubetune serve options...]
# runs `./kubetune serve` (built on first use) on 127.0.0.1 and a free port, waits until /health
# answers 200, and exports KUBETUNE_URL (http://127.0.0.1:PORT). The server is stopped when the
# calling script exits.

KUBETUNE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
KUBETUNE_FIXTURES="$KUBETUNE_ROOT/trainer-image/src/test/resources/fixtures/models"
SERVER_PID=""

stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

start_server() {
  local log="$1"
  shift
  mkdir -p "$(dirname "$log")"
  "$KUBETUNE_ROOT/kubetune" serve --host 127.0.0.1 --port 0 "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  trap stop_server EXIT
  local port="" deadline=$((SECONDS + 900)) # a first run builds the jar
  while [[ -z "$port" ]]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "kubetune serve exited before listening; its log:" >&2
      tail -40 "$log" >&2
      return 1
    fi
    if ((SECONDS > deadline)); then
      echo "kubetune serve did not start listening in time" >&2
      return 1
    fi
    sleep 0.5
    port="$(sed -n 's/^kubetune serve: listening on port \([0-9]*\).*/\1/p' "$log" | head -1)"
  done
  export KUBETUNE_URL="http://127.0.0.1:$port"
  deadline=$((SECONDS + 300))
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' "$KUBETUNE_URL/health")" == 200 ]]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || ((SECONDS > deadline)); then
      echo "kubetune serve never became healthy; its log:" >&2
      tail -40 "$log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "kubetune serve ready at $KUBETUNE_URL (log: $log)"
}
