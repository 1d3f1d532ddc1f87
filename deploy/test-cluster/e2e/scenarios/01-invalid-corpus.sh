# shellcheck shell=bash disable=SC2154
# examples/invalid: every file is refused by the API server (OpenAPI schema and CEL rules of the
# installed CRDs) with a message containing each of its "# expect:" lines; updates/: the first
# document is created, its status written through the status subresource, and applying the
# second document as an update is refused. Runs before the operator starts: the operator would
# overwrite the hand-written status.

corpus="$REPO/examples/invalid"
work="$E2E_DIR/corpus"
rm -rf "$work"
mkdir -p "$work"
problems=()

expects() { sed -n 's/^# expect: //p' "$1"; }

# OUTPUT FILE: every expectation of FILE is in OUTPUT
check_message() {
  local out="$1" file="$2" e missing=()
  while IFS= read -r e; do
    [[ "$out" == *"$e"* ]] || missing+=("$e")
  done < <(expects "$file")
  if ((${#missing[@]})); then
    problems+=("${file#"$REPO"/}: message lacks $(printf "'%s' " "${missing[@]}")-- got: $out")
    return 1
  fi
}

n=0
for file in "$corpus"/*.yaml; do
  [[ -n "$(expects "$file")" ]] || { problems+=("${file#"$REPO"/}: no '# expect:' line"); continue; }
  n=$((n + 1))
  if out="$(kubectl -n "$NS" apply -f "$file" 2>&1)"; then
    problems+=("${file#"$REPO"/}: accepted: $out")
    continue
  fi
  check_message "$out" "$file" || continue
  step "ok: refused ${file#"$corpus"/}: $(head -c 150 <<<"$out" | tr '\n' ' ')"
done
expect_eq "$(k get finetunejobs,modelserves -o name | wc -l | tr -d ' ')" 0 \
  "objects created by the $n refused files"

u=0
for file in "$corpus"/updates/*.yaml; do
  u=$((u + 1))
  base="$(basename "$file" .yaml)"
  awk -v a="$work/$base.1.yaml" -v b="$work/$base.2.yaml" '
    /^---[[:space:]]*$/ { doc++; next }
    { print > (doc == 0 ? a : b) }' "$file"
  [[ -s "$work/$base.2.yaml" ]] || { problems+=("updates/$base.yaml: not two documents"); continue; }
  kubectl -n "$NS" apply -f "$work/$base.1.yaml" >/dev/null
  obj="$(kubectl -n "$NS" apply -f "$work/$base.1.yaml" --dry-run=client -o 'jsonpath={.kind}/{.metadata.name}')"
  status="$(kubectl apply -f "$work/$base.1.yaml" --dry-run=client -o 'jsonpath={.status}')"
  k patch "$obj" --subresource=status --type=merge -p "{\"status\": $status}" >/dev/null
  phase="$(jp "$obj" '{.status.phase}')"
  [[ -n "$phase" ]] || { problems+=("updates/$base.yaml: status did not stick"); continue; }
  if out="$(kubectl -n "$NS" apply -f "$work/$base.2.yaml" 2>&1)"; then
    problems+=("updates/$base.yaml: update accepted (phase $phase): $out")
    continue
  fi
  check_message "$out" "$file" || continue
  step "ok: refused update updates/$base.yaml (phase $phase): $(head -c 150 <<<"$out" | tr '\n' ' ')"
done

((n > 0 && u > 0)) || problems+=("the corpus has $n invalid files and $u invalid updates: none to check")
if ((${#problems[@]})); then
  fail "$(printf '\n      %s' "${problems[@]}")"
fi
step "ok: $n invalid resources and $u invalid updates refused with the expected messages"
k delete finetunejobs,modelserves --all --wait=true >/dev/null
