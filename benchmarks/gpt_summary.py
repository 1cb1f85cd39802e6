#!/usr/bin/env python3
"""Summarises `benchmarks/run.sh gpt` (argument: its results folder) into gpt-summary.md.

Per round and configuration: Kiln's generated step, the hand-written step and PyTorch 1.13's,
in tokens per second (the median of each one's windows), and the round's ratio generated /
PyTorch; then per configuration the median of the rounds' ratios with their range. Rounds pair
a Kiln run with the PyTorch run next to it in time, so that the machine's drift between rounds
cancels in the ratio.
"""
import glob
import json
import os
import re
import statistics
import sys


def read(path):
    rates = {}
    if os.path.exists(path):
        for line in open(path):
            if line.startswith("{"):
                d = json.loads(line)
                rates[d["model"].split("-", 1)[1]] = d["tokens_per_s"]
    return rates


def main(out):
    rounds = sorted(glob.glob(os.path.join(out, "gpt-round-*")),
                    key=lambda p: int(re.findall(r"(\d+)$", p)[0]))
    lines = ["# GPT step: Kiln against PyTorch 1.13, tokens per second", "",
             "| config | round | Kiln (generated) | Kiln (hand-written) | PyTorch | generated / PyTorch |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    ratios = {}
    for folder in rounds:
        r = int(re.findall(r"(\d+)$", folder)[0])
        kiln = read(os.path.join(folder, "kiln.jsonl"))
        hand = read(os.path.join(folder, "kiln-hand.jsonl"))
        torch = read(os.path.join(folder, "pytorch.jsonl"))
        for config in ("nano", "large"):
            k, h, t = kiln.get(config), hand.get(config), torch.get(config)
            ratio = k / t if k and t else None
            if ratio:
                ratios.setdefault(config, []).append(ratio)
            fmt = lambda v: f"{v:,.0f}" if v else "-"
            lines.append(f"| {config} | {r} | {fmt(k)} | {fmt(h)} | {fmt(t)} | "
                         + (f"{ratio:.2f}" if ratio else "-") + " |")
    lines.append("")
    for config, rs in ratios.items():
        lines.append(f"- {config}: generated / PyTorch median **{statistics.median(rs):.2f}** "
                     f"({min(rs):.2f}-{max(rs):.2f}) over {len(rs)} round" + ("s" if len(rs) != 1 else ""))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "gpt-summary.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1])
