#!/usr/bin/env python3
"""The PyTorch peer of Kiln's convolutional-network benchmark.

The network is the CNN of the samples' `FashionCnn`:

  conv1   Conv2d(1 -> 32, 3x3, padding 1)  BatchNorm2d  ReLU  MaxPool2d(2)   [32, 14, 14]
  conv2   Conv2d(32 -> 64, 3x3, padding 1) BatchNorm2d  ReLU  MaxPool2d(2)   [64, 7, 7]
  hidden  Linear(3136 -> 128)  ReLU  Dropout(0.25)                            [128]
  logits  Linear(128 -> 10)                                                   [10]

Training: softmax cross-entropy, Adam (lr 1e-3) with cosine decay to 1e-5 over the run, global
norm clipping at 1, L2 1e-4 on the conv and dense weights only. Float32, NCHW.

Two modes:

  speed     training-step throughput at the given batches on a fixed synthetic batch, samples
            per second (median of several timed windows after a warm-up); one JSON line each.
  accuracy  10 epochs of Fashion-MNIST, printing the test accuracy and time of each epoch.

The step is what a PyTorch user writes: zero_grad, forward, F.cross_entropy, backward,
clip_grad_norm_, optimizer.step(), scheduler.step(). Debian's python3-torch runs its
convolutions on oneDNN.
"""
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from peer import find, read_idx

CLASSES = 10


def make_net(seed=42):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, CLASSES))


def make_training(net, total_steps):
    weights = [p for p in net.parameters() if p.dim() > 1]
    others = [p for p in net.parameters() if p.dim() <= 1]
    opt = torch.optim.Adam([{"params": weights, "weight_decay": 1e-4},
                            {"params": others, "weight_decay": 0.0}], lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps, eta_min=1e-5)
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
    for batch in (int(b) for b in args.batches.split(",")):
        net = make_net()
        net.train()
        opt, sched = make_training(net, 100000)
        g = torch.Generator().manual_seed(7)
        x = torch.rand(batch, 1, 28, 28, generator=g)
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
        print(json.dumps({"peer": "pytorch", "model": "cnn", "batch": batch,
                          "threads": torch.get_num_threads(),
                          "samples_per_s": statistics.median(rates),
                          "windows": [round(r, 1) for r in rates]}), flush=True)


def accuracy(args):
    d = args.data
    train_x = read_idx(find(d, "train-images-idx3-ubyte")).reshape(-1, 1, 28, 28).float() / 255
    train_y = read_idx(find(d, "train-labels-idx1-ubyte")).long()
    test_x = read_idx(find(d, "t10k-images-idx3-ubyte")).reshape(-1, 1, 28, 28).float() / 255
    test_y = read_idx(find(d, "t10k-labels-idx1-ubyte")).long()
    batch, epochs = 128, args.epochs
    steps_per_epoch = math.ceil(len(train_x) / batch)
    net = make_net()
    opt, sched = make_training(net, steps_per_epoch * epochs)
    g = torch.Generator().manual_seed(42)
    start = time.perf_counter()
    acc = 0.0
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
            acc = sum((net(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum().item()
                      for i in range(0, len(test_x), 1000)) / len(test_x)
        print(f"epoch {epoch:2d}  test accuracy {acc:.4f}  {seconds:.1f} s  "
              f"{len(train_x) / seconds:,.0f} samples/s", flush=True)
    print(json.dumps({"peer": "pytorch", "model": "cnn", "final_test_accuracy": acc,
                      "seconds": time.perf_counter() - start}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("mode", choices=["speed", "accuracy"])
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--batches", default="128")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per batch size")
    p.add_argument("--window", type=float, default=2.0, help="seconds per timed window")
    p.add_argument("--windows", type=int, default=3, help="timed windows per batch size")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                   help="directory with the four Fashion-MNIST IDX files (.gz or not)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    (speed if args.mode == "speed" else accuracy)(args)


if __name__ == "__main__":
    main()
