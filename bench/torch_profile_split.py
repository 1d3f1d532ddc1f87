"""Sums a libtorch profiler trace (Chrome trace JSON, as DJL's JniUtils.stopProfile writes it) by
ATen op: calls, total time of the outermost ops (those not inside another op on their thread),
and the share of the recorded wall time they cover; the rest of the wall time is spent outside
libtorch (our Java, DJL, JNA, the JVM). Written for bench/profile.sh; plain Python 3.

usage: torch_profile_split.py TRACE_JSON STEPS
"""
import collections
import json
import sys


def main():
    trace = json.load(open(sys.argv[1]))
    steps = int(sys.argv[2])
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    ops = [e for e in events if e.get("ph") == "X" and "dur" in e]
    by_thread = collections.defaultdict(list)
    for e in ops:
        by_thread[e.get("tid")].append(e)
    outer_time = collections.Counter()
    outer_calls = collections.Counter()
    all_calls = collections.Counter()
    first, last = min(e["ts"] for e in ops), max(e["ts"] + e["dur"] for e in ops)
    for tid, evs in by_thread.items():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        end = -1
        for e in evs:
            all_calls[e["name"]] += 1
            if e["ts"] >= end:
                outer_time[e["name"]] += e["dur"]
                outer_calls[e["name"]] += 1
                end = e["ts"] + e["dur"]
    wall = last - first
    inside = sum(outer_time.values())
    print(f"libtorch profiler: {wall / 1000:.1f} ms recorded over {steps} steps, "
          f"{wall / steps / 1000:.3f} ms per step")
    print(f"  {100 * inside / wall:5.1f}%  inside ATen ops ({sum(outer_calls.values()) / steps:.0f} outermost op calls per step, "
          f"{sum(all_calls.values()) / steps:.0f} with the ops they call)")
    print(f"  {100 * (wall - inside) / wall:5.1f}%  between ATen ops (our Java, DJL, JNA, the JVM)")
    print("outermost ops by time: share of wall, us per step, calls per step")
    for name, t in outer_time.most_common(25):
        if t / wall >= 0.002:
            print(f"  {100 * t / wall:5.1f}%  {t / steps:9.1f} us  {outer_calls[name] / steps:6.1f}  {name}")


if __name__ == "__main__":
    main()
