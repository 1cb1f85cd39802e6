#!/usr/bin/env python3
"""Summarises one `benchmarks/run.sh` run: medians over rounds, ratios, allocation, accuracy.

Reads RESULTS_DIR/round-*/jmh-*.json (JMH's JSON result files: throughput in steps/s and the
gc profiler's gc.alloc.rate.norm in B/op), RESULTS_DIR/round-*/pytorch-*.jsonl (peer.py speed
output) and, when present, RESULTS_DIR/accuracy-*.txt and RESULTS_DIR/machine.txt. Prints a
Markdown report (also written to RESULTS_DIR/summary.md).

Samples/s = steps/s x batch. Each ratio is the median over rounds of that round's ratio, so a
slow round affects both sides of it alike; the range gives the spread of the rounds.
"""
import glob
import json
import os
import re
import statistics
import sys

BENCH = {"KilnStepBenchmark.step": "kiln", "Dl4jStepBenchmark.step": "dl4j",
         "GemmBenchmark.gemms": "gemm"}


def load(results):
    speed = {}   # (peer, model, batch) -> {round: samples/s}
    alloc = {}   # (peer, model, batch) -> [B/op]
    policy = {}  # (model, batch) -> {round: policy of pytorch's best}
    for rdir in sorted(glob.glob(os.path.join(results, "round-*"))):
        rnd = int(rdir.rsplit("-", 1)[1])
        for path in glob.glob(os.path.join(rdir, "jmh-*.json")):
            with open(path) as f:
                text = f.read().strip()
            for b in json.loads(text) if text else []:
                name = ".".join(b["benchmark"].split(".")[-2:])
                peer = BENCH.get(name)
                if peer is None:
                    continue
                model, batch = b["params"]["model"], int(b["params"]["batch"])
                key = (peer, model, batch)
                speed.setdefault(key, {})[rnd] = b["primaryMetric"]["score"] * batch
                norm = b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
                if norm is not None:
                    alloc.setdefault(key, []).append(norm["score"])
        for path in glob.glob(os.path.join(rdir, "pytorch-*.jsonl")):
            with open(path) as f:
                for line in f:
                    line = line.strip()
                    if not line.startswith("{"):
                        continue
                    r = json.loads(line)
                    key = ("pytorch", r["model"], int(r["batch"]))
                    best = speed.setdefault(key, {})
                    if r["samples_per_s"] > best.get(rnd, 0):
                        best[rnd] = r["samples_per_s"]
                        policy.setdefault((r["model"], int(r["batch"])), {})[rnd] = \
                            r["omp_wait_policy"]
    return speed, alloc, policy


def med(values):
    return statistics.median(values) if values else None


def fmt(v, spec="{:,.0f}"):
    return "n/a" if v is None else spec.format(v)


def ratio(speed, a, b, model, batch, invert=False):
    ra, rb = speed.get((a, model, batch), {}), speed.get((b, model, batch), {})
    rounds = sorted(set(ra) & set(rb))
    if not rounds:
        # peers measured in different rounds (DL4J by default runs in round 1 only)
        if ra and rb:
            return med(list(ra.values())) / med(list(rb.values())), None, None
        return None, None, None
    values = [ra[r] / rb[r] for r in rounds]
    if invert:
        values = [1 / v for v in values]
    return med(values), min(values), max(values)


def fmt_ratio(r):
    m, lo, hi = r
    if m is None:
        return "n/a"
    if lo is None or lo == hi:
        return f"{m:.2f}"
    return f"{m:.2f} ({lo:.2f}–{hi:.2f})"


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else max(
        glob.glob("benchmarks/target/results/*"), key=os.path.getmtime)
    speed, alloc, policy = load(results)
    out = []
    machine = os.path.join(results, "machine.txt")
    if os.path.exists(machine):
        out.append("```")
        out.append(open(machine).read().rstrip())
        out.append("```")
        out.append("")
    models = sorted({k[1] for k in speed}, key=lambda m: (m != "reference", m))
    batches = sorted({k[2] for k in speed})
    rounds = max((len(v) for v in speed.values()), default=0)
    out.append(f"Training-step throughput, samples/s (median of {rounds} rounds; "
               "range over rounds in brackets for ratios)")
    out.append("")
    out.append("| model | batch | Kiln | PyTorch (best) | DL4J | GEMMs only | Kiln / PyTorch "
               "| Kiln / DL4J | Kiln step / GEMM time |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for m in models:
        for b in batches:
            cells = [fmt(med(list(speed.get((p, m, b), {}).values())))
                     for p in ("kiln", "pytorch", "dl4j", "gemm")]
            pol = policy.get((m, b), {})
            if pol:
                cells[1] += " (" + "/".join(sorted(set(pol.values()))) + ")"
            out.append(f"| {m} | {b} | " + " | ".join(cells) + " | "
                       + fmt_ratio(ratio(speed, "kiln", "pytorch", m, b)) + " | "
                       + fmt_ratio(ratio(speed, "kiln", "dl4j", m, b)) + " | "
                       + fmt_ratio(ratio(speed, "gemm", "kiln", m, b)) + " |")
    out.append("")
    out.append("Spread of each peer over rounds (min–max samples/s):")
    out.append("")
    out.append("| model | batch | Kiln | PyTorch | DL4J | GEMMs only |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for m in models:
        for b in batches:
            cells = []
            for p in ("kiln", "pytorch", "dl4j", "gemm"):
                v = list(speed.get((p, m, b), {}).values())
                cells.append(f"{min(v):,.0f}–{max(v):,.0f}" if v else "n/a")
            out.append(f"| {m} | {b} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("JVM heap bytes per step (JMH `-prof gc`, `gc.alloc.rate.norm`, median over rounds):")
    out.append("")
    out.append("| model | batch | Kiln B/step | DL4J B/step | GEMMs only B/call |")
    out.append("| --- | ---: | ---: | ---: | ---: |")
    for m in models:
        for b in batches:
            cells = [fmt(med(alloc.get((p, m, b), [])), "{:,.1f}")
                     for p in ("kiln", "dl4j", "gemm")]
            out.append(f"| {m} | {b} | " + " | ".join(cells) + " |")
    for name in ("profile.txt",):
        path = os.path.join(results, name)
        if os.path.exists(path):
            lines = open(path).read().splitlines()
            tail = [l for l in lines if re.match(r"^(model|reference|wide)\s", l)]
            if tail:
                out.append("")
                out.append("StepProfile (heap bytes per step of the generated trainer over the timed "
                           "steps, JavaCPP Pointer.totalBytes() growth):")
                out.append("")
                out.append("```")
                out.extend(tail)
                out.append("```")
    acc = []
    for peer in ("kiln", "pytorch", "dl4j"):
        path = os.path.join(results, f"accuracy-{peer}.txt")
        if not os.path.exists(path):
            continue
        text = open(path).read()
        # Kiln's CLI ends with a report whose "accuracy X  macro F1" line is the test set's;
        # older samples jars print "final test accuracy X".
        found = re.findall(r"accuracy ([0-9.]+)  macro F1", text) or \
            re.findall(r"final test accuracy ([0-9.]+)", text) or \
            re.findall(r'"final_test_accuracy": ([0-9.]+)', text)
        m = found[-1] if found else None
        acc.append((peer, f"{float(m):.4f}" if m else "failed (see " + os.path.basename(path) + ")"))
    if acc:
        out.append("")
        out.append("Fashion-MNIST, reference MLP, 10 epochs, batch 128: final test accuracy")
        out.append("")
        out.append("| Kiln | PyTorch | DL4J |")
        out.append("| ---: | ---: | ---: |")
        d = dict(acc)
        out.append("| " + " | ".join(d.get(p, "n/a") for p in ("kiln", "pytorch", "dl4j")) + " |")
    text = "\n".join(out) + "\n"
    with open(os.path.join(results, "summary.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
