# shellcheck shell=bash
# value KEY LINE: the number after KEY= in a "key=value key=value" line the benchmarks print;
# fails (naming the key) when the line has none. Sourced by the comparison scripts.
value() {
  local v
  v="$(sed -nE "s/^(.* )?$1=([0-9.]+)( .*)?$/\2/p" <<<"$2")"
  [[ -n "$v" ]] || { echo "bench: no $1 in: $2" >&2; return 1; }
  echo "$v"
}
