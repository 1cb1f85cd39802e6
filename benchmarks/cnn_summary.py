#!/usr/bin/env python3
"""Summarises the `cnn` part of one `benchmarks/run.sh` run.

Reads RESULTS_DIR/cnn-round-*/jmh-kiln.json (CnnStepBenchmark: the step and its products
alone), jmh-dl4j.json (Dl4jCnnStepBenchmark), pytorch-*.jsonl (cnn_peer.py speed, default and
PASSIVE OpenMP wait policy; the better of the two counts per round) and RESULTS_DIR/cnn-profile.txt.
Prints Markdown (also written to RESULTS_DIR/cnn-summary.md): per peer the median and range of
samples/s over rounds at batch 128, and the ratios of each round, median and range.
"""
import glob
import json
import os
import statistics
import sys


def jmh(path):
    out = {}
    if not os.path.exists(path):
        return out
    text = open(path).read().strip()
    for b in json.loads(text) if text else []:
        name = b["benchmark"].split(".")[-1]
        bench = b["benchmark"].split(".")[-2]
        batch = int(b["params"]["batch"])
        key = {"CnnStepBenchmark.step": "kiln", "CnnStepBenchmark.gemms": "gemms",
               "Dl4jCnnStepBenchmark.step": "dl4j"}.get(bench + "." + name)
        if key:
            out[key] = b["primaryMetric"]["score"] * batch
    return out


def pytorch(rdir):
    best = None
    for path in glob.glob(os.path.join(rdir, "pytorch-*.jsonl")):
        for line in open(path):
            line = line.strip()
            if line.startswith("{"):
                v = json.loads(line)["samples_per_s"]
                best = v if best is None else max(best, v)
    return best


def rng(values):
    if not values:
        return "–"
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}–{max(values):,.0f})"


def ratio_text(values):
    if not values:
        return "–"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main():
    results = sys.argv[1]
    rounds = []
    for rdir in sorted(glob.glob(os.path.join(results, "cnn-round-*")),
                       key=lambda p: int(p.rsplit("-", 1)[1])):
        r = jmh(os.path.join(rdir, "jmh-kiln.json"))
        r.update(jmh(os.path.join(rdir, "jmh-dl4j.json")))
        p = pytorch(rdir)
        if p:
            r["pytorch"] = p
        rounds.append(r)
    col = lambda k: [r[k] for r in rounds if k in r]
    ratios = lambda a, b: [r[a] / r[b] for r in rounds if a in r and b in r]
    out = [f"CNN training step, batch 128, samples/s: median (range) over {len(rounds)} rounds",
           "", "| Kiln step | Kiln products alone | PyTorch (best policy) | DL4J |",
           "| ---: | ---: | ---: | ---: |",
           f"| {rng(col('kiln'))} | {rng(col('gemms'))} | {rng(col('pytorch'))} "
           f"| {rng(col('dl4j'))} |", "",
           "Ratios of the same round: median (range)", "",
           "| Kiln / PyTorch | Kiln / DL4J | Kiln step time / products time |",
           "| ---: | ---: | ---: |",
           f"| {ratio_text(ratios('kiln', 'pytorch'))} | {ratio_text(ratios('kiln', 'dl4j'))} "
           f"| {ratio_text(ratios('gemms', 'kiln'))} |", ""]
    profile = os.path.join(results, "cnn-profile.txt")
    if os.path.exists(profile):
        out += ["```", open(profile).read().strip(), "```", ""]
    text = "\n".join(out)
    print(text)
    with open(os.path.join(results, "cnn-summary.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
