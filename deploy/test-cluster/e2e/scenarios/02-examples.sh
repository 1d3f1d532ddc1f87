# shellcheck shell=bash disable=SC2154
# examples/: `kubectl apply -f examples/` creates every FineTuneJob and ModelServe, and the
# operator takes each of them: a FineTuneJob gets its ConfigMap, Service and training Job (the
# API server accepts what the operator builds from it; condition Created=True) and is not
# refused as an invalid spec; a ModelServe gets a phase, its Service, and its Deployment when its
# model is known. Nothing here can run to the end: the examples name claims and PriorityClasses
# that this cluster does not have.

out="$(kubectl -n "$NS" apply -f "$REPO/examples/")"
sed 's/^/    /' <<<"$out"
files=("$REPO"/examples/*.yaml)
expect_eq "$(grep -c ' created$' <<<"$out")" "${#files[@]}" "objects created by kubectl apply -f examples/"

# (not `mapfile < <(k get ...)`: a process substitution's failure is never seen, and the loops
# below would check nothing)
ftjs=() mss=()
listed="$(k get finetunejobs -o name)"
[[ -z "$listed" ]] || mapfile -t ftjs <<<"$listed"
listed="$(k get modelserves -o name)"
[[ -z "$listed" ]] || mapfile -t mss <<<"$listed"
expect_eq "$((${#ftjs[@]} + ${#mss[@]}))" "${#files[@]}" "FineTuneJobs and ModelServes listed"
for ftj in "${ftjs[@]}"; do
  name="${ftj#*/}"
  wait_until 30 "$ftj: Created=True (ConfigMap, Service and Job made)" \
    jp_is "$ftj" '{.status.conditions[?(@.type=="Created")].status}' True
  k get "configmap/$name-config" "service/$name-workers" "job/$name" -o name >/dev/null
  reason="$(jp "$ftj" '{.status.conditions[?(@.type=="Failed")].reason}')"
  expect_eq "$reason" NoFailure "$ftj: Failed condition reason"
done
for ms in "${mss[@]}"; do
  name="${ms#*/}"
  wait_until 30 "$ms: the operator wrote a phase" jp_set "$ms" '{.status.phase}'
  k get "service/$name" -o name >/dev/null
  if [[ "$(jp "$ms" '{.status.conditions[?(@.type=="ModelResolved")].status}')" == True ]]; then
    wait_until 30 "$ms: Deployment $name exists (model resolved)" k get "deployment/$name"
  else
    step "ok: $ms waits for its model: $(jp "$ms" '{.status.conditions[?(@.type=="ModelResolved")].message}')"
  fi
done
step "kubectl get ftj,ms:"
k get finetunejobs,modelserves | sed 's/^/    /'
