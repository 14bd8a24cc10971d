#!/usr/bin/env python3
"""Side-by-side medians of several bench/run.sh results.

    bench/compare.py NAME=bench/results/<time>/results.jsonl [NAME=...]

For every case: per run, the ceiling's and the real server's median throughput (items/s for generators), p50/p99,
server bytes per call, and the real server / that run's own ceiling ratio (each run.sh run interleaves its two
servers, so the ratio is the figure that survives drift between runs). Standard library only.
"""
import json
import statistics
import sys


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    return rows


def med(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def rate(v, items):
    if v is None:
        return "–"
    unit = " items/s" if items else "/s"
    return f"{v / 1e6:.2f} M{unit}" if v >= 1e6 else f"{v / 1e3:.1f} k{unit}"


def main(argv):
    runs = []
    for arg in argv:
        name, _, path = arg.partition("=")
        runs.append((name, load(path)))
    cases = []
    for _, rows in runs:
        for r in rows:
            if r.get("mode") == "load" and "|" in r.get("label", ""):
                c = r["label"].split("|")[0]
                if c not in cases:
                    cases.append(c)
    print("| case | run | ceiling | OrleansRpc | ratio to ceiling | ceiling p50 / p99 µs | OrleansRpc p50 / p99 µs | p50 ratio | server B/call | errors | n |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for c in cases:
        for name, rows in runs:
            ceil = [r for r in rows if r.get("mode") == "load" and r.get("label") == c + "|ceiling"]
            real = [r for r in rows if r.get("mode") == "load" and r.get("label") == c + "|real"]
            if not ceil or not real:
                continue
            items = real[0].get("workload") == "generator"
            key = "items_per_s" if items else "calls_per_s"
            cr, rr = med(ceil, key), med(real, key)
            cp50, rp50 = med(ceil, "p50_us"), med(real, "p50_us")
            alloc = med(real, "server_alloc_bytes_per_call")
            errors = sum(r.get("errors", 0) for r in ceil + real)
            print(f"| {c} | {name} | {rate(cr, items)} | {rate(rr, items)} | {rr / cr:.2f} × | {cp50:.0f} / {med(ceil, 'p99_us'):.0f} "
                  f"| {rp50:.0f} / {med(real, 'p99_us'):.0f} | {rp50 / cp50:.2f} × | {'–' if alloc is None else f'{alloc:.0f}'} | {errors} | {len(real)} |")
    for name, rows in runs:
        for r in rows:
            if r.get("mode") == "memory":
                per = (r["rss_after_kb"] - r["rss_before_kb"]) / max(1, r["connections"])
                print(f"- {name}: idle {r['label']}: {r['connections']} declared, VmRSS {r['rss_before_kb']} → {r['rss_after_kb']} KiB = {per:.1f} KiB per connection")
            if r.get("mode") == "soak":
                mib = [round(k / 1024) for k in r["rss_kb"]]
                print(f"- {name}: soak {r['seconds']} s, VmRSS every {r['interval_s']} s (MiB): {', '.join(map(str, mib))}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]) or 0)
