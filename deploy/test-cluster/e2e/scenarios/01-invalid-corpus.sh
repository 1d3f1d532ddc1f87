# shellcheck shell=bash disable=SC2154
# The spec table on the real API server. examples/invalid: every file is refused with exactly the
# error lines its "# expect:" comments list, no more, no fewer (ExamplesTest and the trainer's
# SpecTableTest expect the same lines from the Java validator that `kubetune train` uses), and
# nothing is created; updates/: the first document is created, its status written through the
# status subresource, and applying the second document as an update is refused so. examples/*.yaml
# and examples/accepted: every object is accepted. Runs before the operator starts: the operator
# would overwrite the hand-written status.

corpus="$REPO/examples/invalid"
work="$E2E_DIR/corpus"
rm -rf "$work"
mkdir -p "$work"
problems=()

expects() { sed -n 's/^# expect: //p' "$1"; }

# kubectl's output on stdin -> the API server's error lines, one per line: "X is invalid: ERR",
# "* ERR" (several), or "strict decoding error: unknown field "a", unknown field "b"".
api_errors() {
  awk '
    /strict decoding error: / {
      sub(/.*strict decoding error: /, "")
      n = split($0, parts, /, unknown field /)
      for (i = 1; i <= n; i++) print (i > 1 ? "unknown field " : "") parts[i]
      next
    }
    / is invalid: $/ { next }
    / is invalid: / { sub(/.* is invalid: /, ""); print; next }
    /^\* / { sub(/^\* /, ""); print; next }'
}

# OUTPUT FILE: the error lines of OUTPUT are exactly the expectations of FILE
check_errors() {
  local out="$1" file="$2" want got
  want="$(expects "$file" | sort)"
  got="$(api_errors <<<"$out" | sort)"
  if [[ "$got" != "$want" ]]; then
    problems+=("${file#"$REPO"/}: the API server's errors differ from the '# expect:' lines:
$(diff <(echo "$want") <(echo "$got") | sed 's/^/        /')")
    return 1
  fi
}

n=0
for file in "$corpus"/*.yaml; do
  [[ -n "$(expects "$file")" ]] || { problems+=("${file#"$REPO"/}: no '# expect:' line"); continue; }
  n=$((n + 1))
  if out="$(kubectl -n "$NS" apply -f "$file" 2>&1)"; then
    problems+=("${file#"$REPO"/}: accepted: $out")
    kubectl -n "$NS" delete -f "$file" >/dev/null || problems+=("${file#"$REPO"/}: cannot delete it")
    continue
  fi
  check_errors "$out" "$file" || continue
  step "ok: refused ${file#"$corpus"/}: $(head -c 150 <<<"$out" | tr '\n' ' ')"
done
created="$(k get finetunejobs,modelserves -o name)" || fail "cannot list the namespace's objects"
expect_eq "$(grep -c . <<<"$created" || true)" 0 "objects created by the $n refused files"

u=0
for file in "$corpus"/updates/*.yaml; do
  u=$((u + 1))
  base="$(basename "$file" .yaml)"
  awk -v a="$work/$base.1.yaml" -v b="$work/$base.2.yaml" '
    /^---[[:space:]]*$/ { doc++; next }
    { print > (doc == 0 ? a : b) }' "$file"
  [[ -s "$work/$base.2.yaml" ]] || { problems+=("updates/$base.yaml: not two documents"); continue; }
  kubectl -n "$NS" apply -f "$work/$base.1.yaml" >/dev/null ||
    { problems+=("updates/$base.yaml: its first document was refused"); continue; }
  obj="$(kubectl -n "$NS" apply -f "$work/$base.1.yaml" --dry-run=client -o 'jsonpath={.kind}/{.metadata.name}')"
  status="$(kubectl apply -f "$work/$base.1.yaml" --dry-run=client -o 'jsonpath={.status}')"
  k patch "$obj" --subresource=status --type=merge -p "{\"status\": $status}" >/dev/null ||
    { problems+=("updates/$base.yaml: cannot write its status"); continue; }
  phase="$(jp "$obj" '{.status.phase}')"
  [[ -n "$phase" ]] || { problems+=("updates/$base.yaml: status did not stick"); continue; }
  if out="$(kubectl -n "$NS" apply -f "$work/$base.2.yaml" 2>&1)"; then
    problems+=("updates/$base.yaml: update accepted (phase $phase): $out")
    continue
  fi
  check_errors "$out" "$file" || continue
  step "ok: refused update updates/$base.yaml (phase $phase): $(head -c 150 <<<"$out" | tr '\n' ' ')"
done
k delete finetunejobs,modelserves --all --wait=true >/dev/null || fail "cannot delete the update cases"

a=0
for file in "$REPO"/examples/*.yaml "$REPO"/examples/accepted/*.yaml; do
  a=$((a + 1))
  if ! out="$(kubectl -n "$NS" apply -f "$file" 2>&1)"; then
    problems+=("${file#"$REPO"/}: refused: $out")
    continue
  fi
  step "ok: accepted ${file#"$REPO"/examples/}"
done
k delete finetunejobs,modelserves --all --wait=true >/dev/null || fail "cannot delete the accepted objects"

if ((${#problems[@]})); then
  fail "$(printf '\n      %s' "${problems[@]}")"
fi
step "ok: $n invalid resources and $u invalid updates refused with exactly the expected errors; $a files accepted"
