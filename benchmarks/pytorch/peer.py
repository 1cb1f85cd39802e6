#!/usr/bin/env python3
"""The PyTorch peer of Kiln's benchmarks: the same networks, optimizer and data shapes.

Two modes:

  speed     training-step throughput of the reference MLP (784-256-BN-ReLU-256-BN-ReLU-10)
            and the wide one (784-1024-BN-ReLU-1024-BN-ReLU-10) at batch 32, 128 and 512,
            on a fixed synthetic batch, as samples per second (median of several timed
            windows after a warm-up). Prints one JSON line per configuration.
  accuracy  10 epochs of Fashion-MNIST with the Fashion sample's configuration (SGD lr 0.1,
            momentum 0.9, cosine decay over 4690 steps to 1e-3, global-norm clipping at 1,
            L2 1e-4 on weights, batch 128, shuffled each epoch), printing test accuracy.

The training step is what a PyTorch user writes: zero_grad, forward, F.cross_entropy,
backward, clip_grad_norm_, optimizer.step(), scheduler.step().

Needs Debian's python3-torch, and libopenblas0-openmp so that torch's BLAS is OpenBLAS
rather than the reference BLAS (see benchmarks/README.md).
"""
import argparse
import gzip
import json
import math
import os
import statistics
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

INPUTS = 784
CLASSES = 10
HIDDEN = {"reference": 256, "wide": 1024}


def make_net(hidden, seed=42):
    torch.manual_seed(seed)
    net = nn.Sequential(
        nn.Linear(INPUTS, hidden), nn.BatchNorm1d(hidden, eps=1e-5, momentum=0.1), nn.ReLU(),
        nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden, eps=1e-5, momentum=0.1), nn.ReLU(),
        nn.Linear(hidden, CLASSES))
    # Kiln's initialisation: He-uniform for ReLU layers, Xavier-uniform for the logits, zero biases.
    for m, relu in ((net[0], True), (net[3], True), (net[6], False)):
        if relu:
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
        else:
            nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
    return net


def make_training(net, total_steps):
    weights = [p for n, p in net.named_parameters() if n.endswith("weight") and p.dim() == 2]
    others = [p for n, p in net.named_parameters() if not (n.endswith("weight") and p.dim() == 2)]
    opt = torch.optim.SGD([{"params": weights, "weight_decay": 1e-4},
                           {"params": others, "weight_decay": 0.0}], lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps, eta_min=1e-3)
    return opt, sched


def train_step(net, opt, sched, x, y):
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(net(x), y)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    opt.step()
    sched.step()
    return loss


def speed(args):
    for model in args.models.split(","):
        for batch in (int(b) for b in args.batches.split(",")):
            net = make_net(HIDDEN[model])
            net.train()
            opt, sched = make_training(net, 4690)
            g = torch.Generator().manual_seed(7)
            x = torch.rand(batch, INPUTS, generator=g)
            y = torch.randint(0, CLASSES, (batch,), generator=g)
            end = time.perf_counter() + args.warmup
            while time.perf_counter() < end:
                train_step(net, opt, sched, x, y)
            rates = []
            for _ in range(args.windows):
                steps = 0
                start = time.perf_counter()
                end = start + args.window
                while True:
                    train_step(net, opt, sched, x, y)
                    steps += 1
                    now = time.perf_counter()
                    if now >= end:
                        break
                rates.append(steps * batch / (now - start))
            print(json.dumps({"peer": "pytorch", "model": model, "batch": batch,
                              "threads": torch.get_num_threads(),
                              "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
                              "samples_per_s": statistics.median(rates),
                              "windows": [round(r, 1) for r in rates]}), flush=True)


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    t = torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8)
    return t.reshape(shape)


def find(directory, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            return path
    sys.exit(f"missing {name}(.gz) in {directory}")


def accuracy(args):
    d = args.data
    train_x = read_idx(find(d, "train-images-idx3-ubyte")).reshape(-1, INPUTS).float() / 255
    train_y = read_idx(find(d, "train-labels-idx1-ubyte")).long()
    test_x = read_idx(find(d, "t10k-images-idx3-ubyte")).reshape(-1, INPUTS).float() / 255
    test_y = read_idx(find(d, "t10k-labels-idx1-ubyte")).long()
    batch, epochs = 128, 10
    steps_per_epoch = math.ceil(len(train_x) / batch)
    net = make_net(HIDDEN["reference"])
    opt, sched = make_training(net, steps_per_epoch * epochs)
    g = torch.Generator().manual_seed(42)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        net.train()
        order = torch.randperm(len(train_x), generator=g)
        t0 = time.perf_counter()
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            if len(idx) < 2:
                continue
            train_step(net, opt, sched, train_x[idx], train_y[idx])
        seconds = time.perf_counter() - t0
        net.eval()
        with torch.no_grad():
            acc = (net(test_x).argmax(1) == test_y).float().mean().item()
        print(f"epoch {epoch:2d}  test accuracy {acc:.4f}  {seconds:.1f} s  "
              f"{len(train_x) / seconds:,.0f} samples/s", flush=True)
    print(json.dumps({"peer": "pytorch", "final_test_accuracy": acc,
                      "seconds": time.perf_counter() - start}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("mode", choices=["speed", "accuracy"])
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--models", default="reference,wide")
    p.add_argument("--batches", default="32,128,512")
    p.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per configuration")
    p.add_argument("--window", type=float, default=1.0, help="seconds per timed window")
    p.add_argument("--windows", type=int, default=3, help="timed windows per configuration")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                   help="directory with the four Fashion-MNIST IDX files (.gz or not)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    (speed if args.mode == "speed" else accuracy)(args)


if __name__ == "__main__":
    main()
