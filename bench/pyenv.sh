#!/usr/bin/env bash
# Prints the path of a Python with torch + transformers + peft (the reference implementation),
# creating the virtualenv on first use. Needs PyPI; never used by CI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${KUBETUNE_PYREF_VENV:-$HOME/.cache/kubetune/pyref-venv}"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import torch, transformers, peft" 2>/dev/null; then
  echo "bench: creating $venv (torch, transformers, peft from PyPI; several GB) ..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$root/trainer-image/src/test/python/requirements.txt" >&2
fi
echo "$venv/bin/python"
