#!/usr/bin/env python3
"""Checks that two multi-document YAML streams hold the same Kubernetes objects.

    same_objects.py KUSTOMIZE.yaml HELM.yaml

Objects are matched by apiVersion, kind, namespace and name, and compared whole, after removing
the labels that only Helm adds (HELM_LABELS) wherever labels or selectors are written. Every
difference is printed with its path; the exit status is 1 if there is any.
"""
import re
import sys

import yaml

HELM_LABELS = {
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/version",
    "helm.sh/chart",
}
LABEL_MAPS = {"labels", "matchLabels", "selector"}


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1, where 9.2233720368547748E18 (no sign after E) is a string; Kubernetes
    and Helm read YAML 1.2, where it is a number. The generated CRDs write their bounds so."""


Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def load(path):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.load_all(f, Loader=Yaml12Loader) if d]
    out = {}
    for d in docs:
        meta = d.get("metadata", {})
        key = (d.get("apiVersion"), d.get("kind"), meta.get("namespace", ""), meta.get("name"))
        if key in out:
            sys.exit(f"{path}: {key} appears twice")
        out[key] = strip(d)
    return out


def strip(node, parent=None):
    if isinstance(node, dict):
        result = {}
        for k, v in node.items():
            if parent in LABEL_MAPS and k in HELM_LABELS:
                continue
            result[k] = strip(v, k)
        return result
    if isinstance(node, list):
        return [strip(v, parent) for v in node]
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return float(node)  # 2147483647 and 2.147483647E9 are the same bound
    return node


def diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                out.append(f"{path}.{k}: only in helm: {b[k]!r}")
            elif k not in b:
                out.append(f"{path}.{k}: only in kustomize: {a[k]!r}")
            else:
                diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: kustomize {a!r} != helm {b!r}")


def main():
    kustomize, helm = load(sys.argv[1]), load(sys.argv[2])
    problems = []
    for key in sorted(set(kustomize) | set(helm), key=str):
        name = "/".join(str(p) for p in key if p)
        if key not in helm:
            problems.append(f"{name}: only in kustomize")
        elif key not in kustomize:
            problems.append(f"{name}: only in helm")
        else:
            diff(kustomize[key], helm[key], name, problems)
    for p in problems:
        print(f"same_objects: {p}")
    print(f"same_objects: {len(kustomize)} objects compared, {len(problems)} differences")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
