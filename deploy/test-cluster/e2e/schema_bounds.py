#!/usr/bin/env python3
"""Objects at and past every numeric bound of a CRD's spec schema, for the bounds scenario.

Reads the installed CRD (kubectl get crd NAME -o json) and a valid base object (JSON), walks the
spec's OpenAPI schema for every integer and number with a minimum or a maximum (inside lists and
Kubernetes types too: affinity weights, toleration seconds), and writes two JSON files:

  ACCEPTED  a v1 List: for each bound, the base object with that field at the bound (for an
            exclusive bound, just inside it); the API server must accept them all
  REFUSED   a list of {"name", "field", "value", "object"}: the field one step past the bound; the
            API server must refuse each, naming the field

A field that does not exist in the base is created with the required fields around it filled in
(numbers at their maximum, so that a min <= max rule holds; strings "x" or the first enum value).

Usage: schema_bounds.py CRD.json BASE.json PREFIX ACCEPTED.json REFUSED.json
"""
import copy
import json
import sys


def numeric_leaves(schema, path):
    """(path, schema) of every bounded integer/number under schema; path items are names or 0."""
    kind = schema.get("type")
    if kind in ("integer", "number"):
        if "minimum" in schema or "maximum" in schema:
            yield path, schema
        return
    for name, sub in sorted(schema.get("properties", {}).items()):
        yield from numeric_leaves(sub, path + [name])
    if kind == "array" and "items" in schema:
        yield from numeric_leaves(schema["items"], path + [0])
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield from numeric_leaves(extra, path + ["key"])


def filled(schema):
    """A minimal value that satisfies schema's type, enum, bounds and required fields."""
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: filled(props[name]) for name in schema.get("required", [])}
    if kind == "array":
        return [filled(schema["items"])] * schema.get("minItems", 0)
    if kind in ("integer", "number"):
        return schema.get("maximum", schema.get("minimum", 1))
    if kind == "boolean":
        return False
    return "x"


def put(obj, schema, path, value):
    """Sets obj[path] = value, creating what is missing along the way."""
    node, sub = obj, schema
    for i, step in enumerate(path[:-1]):
        nxt = path[i + 1]
        if step == 0:
            sub = sub["items"]
            if not node:
                node.append(filled(sub) if nxt != 0 else [])
            node = node[0]
            continue
        sub = sub["properties"][step] if step in sub.get("properties", {}) else sub["additionalProperties"]
        if step not in node:
            node[step] = [] if sub.get("type") == "array" else filled(sub)
        node = node[step]
    last = path[-1]
    if last == 0:
        node[:1] = [value]
    else:
        node[last] = value


def field_path(path):
    out = ""
    for step in path:
        out += "[0]" if step == 0 else ("." if out else "") + str(step)
    return out


def steps(schema, bound_key):
    """(at, past) for a bound: at is accepted, past is refused."""
    bound = float(schema[bound_key])  # the API server holds bounds as float64
    up = bound_key == "maximum"
    exclusive = schema.get("exclusiveMaximum" if up else "exclusiveMinimum", False)
    if schema.get("type") == "integer":
        bound = int(bound)
        return (bound - 1 if up else bound + 1) if exclusive else bound, bound + 1 if up else bound - 1
    eps = 1e-6 * max(1.0, abs(bound))
    inside = bound - eps if up else bound + eps
    outside = bound + eps if up else bound - eps
    return (inside, bound) if exclusive else (bound, outside)


def main():
    crd_file, base_file, prefix, accepted_file, refused_file = sys.argv[1:6]
    crd = json.load(open(crd_file))
    root = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    base = json.load(open(base_file))
    accepted, refused = [], []
    for path, schema in numeric_leaves(root["properties"]["spec"], ["spec"]):
        for bound_key in ("minimum", "maximum"):
            if bound_key not in schema:
                continue
            at, past = steps(schema, bound_key)
            for value, out in ((at, accepted), (past, refused)):
                obj = copy.deepcopy(base)
                name = "%s-%d" % (prefix, len(accepted) + len(refused))
                obj["metadata"]["name"] = name
                put(obj, root, path, value)
                out.append({"name": name, "field": field_path(path), "value": value, "object": obj})
    json.dump({"apiVersion": "v1", "kind": "List", "items": [a["object"] for a in accepted]},
              open(accepted_file, "w"), indent=1)
    json.dump(refused, open(refused_file, "w"), indent=1)
    for a in accepted:
        print("at bound: %s %s = %s" % (a["name"], a["field"], json.dumps(a["value"])))
    for r in refused:
        print("past bound: %s %s = %s" % (r["name"], r["field"], json.dumps(r["value"])))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
