#!/usr/bin/env python3
"""PyTorch reference for the hand-written Kiln CNN step (dev.kiln.benchmarks.CnnStep).

Builds cnn_peer.py's network with exactly CnnStep's initialisation (PyTorch's default bounds,
drawn from SplitMix64 in CnnStep's order and layouts), CnnStep's synthetic batch (features
SplitMix64(7).nextDouble() as float32, labels (int)(SplitMix64(11).nextDouble()·10)) and its
dropout masks (SplitMix64(seed ^ 0x5DEECE66D): an element is dropped where nextDouble() < 0.25,
else scaled by float32(1/0.75)), then runs STEPS training steps as cnn_peer.py's train_step does
(cosine over TOTAL_STEPS) and writes per-step loss, pre-clip norm and rate, and per parameter
(in Kiln's layout: dense weights [in, out]) its sum, sum of squares and 64 evenly spaced
elements, plus the running statistics. CnnStepParityTest compares CnnStep with this file.

Usage: cnn_step_reference.py > benchmarks/src/test/resources/cnn_step_reference.json
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from cnn_peer import make_training

SEED, BATCH, STEPS, TOTAL_STEPS = 42, 16, 4, 100
MASK64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK64

    def next_long(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def next_double(self):
        return (self.next_long() >> 11) * 2.0 ** -53


def uniform(rng, shape, fan_in):
    bound = 1 / fan_in ** 0.5
    n = int(np.prod(shape))
    v = np.array([(2 * rng.next_double() - 1) * bound for _ in range(n)], dtype=np.float64)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def main():
    torch.set_num_threads(1)
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    conv1, bn1, conv2, bn2, hidden, logits = net[0], net[1], net[4], net[5], net[9], net[11]
    rng = SplitMix64(SEED)
    with torch.no_grad():
        conv1.weight.copy_(uniform(rng, (32, 1, 3, 3), 9))
        conv1.bias.copy_(uniform(rng, (32,), 9))
        conv2.weight.copy_(uniform(rng, (64, 32, 3, 3), 288))
        conv2.bias.copy_(uniform(rng, (64,), 288))
        hidden.weight.copy_(uniform(rng, (3136, 128), 3136).t())
        hidden.bias.copy_(uniform(rng, (128,), 3136))
        logits.weight.copy_(uniform(rng, (128, 10), 128).t())
        logits.bias.copy_(uniform(rng, (10,), 128))
    xr = SplitMix64(7)
    x = torch.tensor([xr.next_double() for _ in range(BATCH * 784)],
                     dtype=torch.float32).reshape(BATCH, 1, 28, 28)
    yr = SplitMix64(11)
    y = torch.tensor([int(yr.next_double() * 10) for _ in range(BATCH)])
    drop = SplitMix64(SEED ^ 0x5DEECE66D)
    scale = np.float32(1 / 0.75)

    opt, sched = make_training(net, TOTAL_STEPS)
    per_step = {"lr": [], "loss": [], "grad_norm_before_clip": []}
    for _ in range(STEPS):
        mask = torch.tensor([0.0 if drop.next_double() < 0.25 else scale
                             for _ in range(BATCH * 128)], dtype=torch.float32).reshape(BATCH, 128)
        per_step["lr"].append(opt.param_groups[0]["lr"])
        opt.zero_grad(set_to_none=True)
        h = net[:11](x) * mask
        loss = F.cross_entropy(logits(h), y)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        per_step["loss"].append(loss.item())
        per_step["grad_norm_before_clip"].append(norm.item())

    params = {
        "conv1.weight": conv1.weight, "conv1.bias": conv1.bias,
        "conv1.gamma": bn1.weight, "conv1.beta": bn1.bias,
        "conv2.weight": conv2.weight, "conv2.bias": conv2.bias,
        "conv2.gamma": bn2.weight, "conv2.beta": bn2.bias,
        "hidden.weight": hidden.weight.t(), "hidden.bias": hidden.bias,
        "logits.weight": logits.weight.t(), "logits.bias": logits.bias,
    }
    out = {}
    for name, p in params.items():
        flat = p.detach().contiguous().reshape(-1).double()
        idx = np.linspace(0, flat.numel() - 1, 64).astype(int).tolist()
        out[name] = {"length": flat.numel(), "sum": flat.sum().item(),
                     "sum_squares": (flat * flat).sum().item(), "indices": idx,
                     "values": flat[idx].tolist()}
    stats = {"conv1.runningMean": bn1.running_mean, "conv1.runningVar": bn1.running_var,
             "conv2.runningMean": bn2.running_mean, "conv2.runningVar": bn2.running_var}
    print(json.dumps({
        "meta": {"what": __doc__.splitlines()[0], "torch_version": torch.__version__,
                 "seed": SEED, "batch": BATCH, "steps": STEPS, "total_steps": TOTAL_STEPS},
        "per_step": per_step, "params": out,
        "running_stats": {k: v.tolist() for k, v in stats.items()}}, indent=1))


if __name__ == "__main__":
    main()
