#!/usr/bin/env bash
# Prints the argocd-cm patch that installs kubetune's resource health checks in Argo CD:
#   deploy/gitops/argocd/patch.sh > kubetune-health.yaml
#   kubectl -n argocd patch configmap argocd-cm --type merge --patch-file kubetune-health.yaml
# The Lua comes from finetunejob.lua and modelserve.lua beside this script (tested by
# deploy/tools/gitops against recorded objects).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
echo "data:"
for kind in FineTuneJob ModelServe; do
  lower="$(echo "$kind" | tr '[:upper:]' '[:lower:]')"
  echo "  resource.customizations.health.kubetune.io_$kind: |"
  sed 's/^/    /; s/^    $//' "$HERE/$lower.lua"
done
