#!/usr/bin/env python3
"""The PyTorch peer of Kiln's character-level GPT (the samples' `CharGpt`).

Architecture (gpt_trajectory.json's, pre-LayerNorm decoder): learned token and position
embeddings added; per block x = x + attention(ln1(x)), x = x + down(gelu(up(ln2(x)))) with
separate query/key/value/output projections (with biases) and a 4x MLP; a final LayerNorm and a
head without bias. Training as nanoGPT's `shakespeare_char` CPU run: AdamW (betas 0.9/0.99,
weight decay 0.1 on matrices and embeddings only), lr 1e-3 with 100 warmup steps then cosine to
1e-4, clipping at global norm 1, no dropout, batch 12.

Configurations: `nano` = 4 blocks, 4 heads, width 128, context 64 (nanoGPT's published CPU
configuration); `large` = 4 blocks, 4 heads, width 256, context 128.

Modes:
  speed  training-step throughput (tokens/s = batch x context per step), median of windows;
         with --cpu also per second of the process's CPU time (meaningful on one thread).
  train  2,000 iterations on Tiny Shakespeare (first 90 % train, last 10 % validation) and the
         validation loss in nats per character (mean over 200 random batches), with the time.
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

CONFIGS = {"nano": dict(blocks=4, heads=4, width=128, context=64),
           "large": dict(blocks=4, heads=4, width=256, context=128)}


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.query, self.key = nn.Linear(width, width), nn.Linear(width, width)
        self.value, self.output = nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, x):
        n, t, d = x.shape
        h = self.heads
        q, k, v = (p(x).view(n, t, h, d // h).transpose(1, 2)
                   for p in (self.query, self.key, self.value))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d // h)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
        y = F.softmax(scores, dim=-1) @ v
        return self.output(y.transpose(1, 2).reshape(n, t, d))


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.ln1, self.attn = nn.LayerNorm(width), Attention(width, heads)
        self.ln2, self.up, self.down = nn.LayerNorm(width), nn.Linear(width, 4 * width), \
            nn.Linear(4 * width, width)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.down(F.gelu(self.up(self.ln2(x))))


class Gpt(nn.Module):
    def __init__(self, vocab, blocks, heads, width, context):
        super().__init__()
        self.tokens, self.positions = nn.Embedding(vocab, width), nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(blocks))
        self.norm, self.head = nn.LayerNorm(width), nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        x = self.tokens(ids) + self.positions.weight[:ids.shape[1]]
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x))


def make_training(net, steps, lr=1e-3, min_lr=1e-4, warmup=100):
    decay = [p for p in net.parameters() if p.dim() >= 2]
    other = [p for p in net.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": other, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.99))
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [
        torch.optim.lr_scheduler.LinearLR(opt, 1.0 / warmup, 1.0, total_iters=warmup),
        torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps - warmup, eta_min=min_lr)],
        milestones=[warmup])
    return opt, sched


def train_step(net, opt, sched, x, y):
    opt.zero_grad(set_to_none=True)
    logits = net(x)
    loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    opt.step()
    sched.step()
    return loss


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([index[c] for c in text], dtype=torch.long)
    cut = int(0.9 * len(data))
    return chars, data[:cut], data[cut:]


def batch(data, context, size, g):
    offsets = torch.randint(len(data) - context - 1, (size,), generator=g)
    x = torch.stack([data[o:o + context] for o in offsets])
    y = torch.stack([data[o + 1:o + context + 1] for o in offsets])
    return x, y


def speed(args):
    for name in args.configs.split(","):
        c = CONFIGS[name]
        torch.manual_seed(42)
        net = Gpt(65, **c)
        opt, sched = make_training(net, 1_000_000)
        g = torch.Generator().manual_seed(7)
        x = torch.randint(65, (args.batch, c["context"]), generator=g)
        y = torch.randint(65, (args.batch, c["context"]), generator=g)
        end = time.perf_counter() + args.warmup
        while time.perf_counter() < end:
            train_step(net, opt, sched, x, y)
        rates, cpu_rates = [], []
        for _ in range(args.windows):
            steps, start, cpu_start = 0, time.perf_counter(), time.process_time()
            while True:
                train_step(net, opt, sched, x, y)
                steps += 1
                now = time.perf_counter()
                if now >= start + args.window:
                    break
            tokens = steps * args.batch * c["context"]
            rates.append(tokens / (now - start))
            cpu_rates.append(tokens / (time.process_time() - cpu_start))
        result = {"peer": "pytorch", "model": "gpt-" + name, "batch": args.batch,
                  "threads": torch.get_num_threads(), "tokens_per_s": statistics.median(rates),
                  "windows": [round(r, 1) for r in rates]}
        if args.cpu:
            # tokens per second of the process's CPU time: on one thread, a rate that a busy
            # machine disturbs much less than the wall-clock one
            result["tokens_per_cpu_s"] = statistics.median(cpu_rates)
        print(json.dumps(result), flush=True)


def train(args):
    chars, train_data, val_data = load(args.text)
    c = CONFIGS["nano"]
    torch.manual_seed(1337)
    net = Gpt(len(chars), **c)
    opt, sched = make_training(net, args.iterations)
    g = torch.Generator().manual_seed(1337)
    start = time.perf_counter()
    for it in range(args.iterations):
        x, y = batch(train_data, c["context"], args.batch, g)
        loss = train_step(net, opt, sched, x, y)
        if it % 200 == 0 or it == args.iterations - 1:
            print(f"iter {it:5d}  train loss {loss.item():.4f}  "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
    seconds = time.perf_counter() - start
    net.eval()
    with torch.no_grad():
        vg = torch.Generator().manual_seed(0)
        losses = []
        for _ in range(200):
            x, y = batch(val_data, c["context"], args.batch, vg)
            logits = net(x)
            losses.append(F.cross_entropy(logits.view(-1, logits.shape[-1]), y.view(-1)).item())
    print(json.dumps({"peer": "pytorch", "model": "gpt-nano", "iterations": args.iterations,
                      "validation_loss": statistics.mean(losses), "train_seconds": seconds}),
          flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("mode", choices=["speed", "train"])
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--configs", default="nano,large")
    p.add_argument("--batch", type=int, default=12)
    p.add_argument("--iterations", type=int, default=2000)
    p.add_argument("--text", default="../shared/data/tinyshakespeare.txt")
    p.add_argument("--warmup", type=float, default=2.0)
    p.add_argument("--window", type=float, default=2.0)
    p.add_argument("--windows", type=int, default=3)
    p.add_argument("--cpu", action="store_true",
                   help="speed: also report tokens per second of process CPU time")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    (speed if args.mode == "speed" else train)(args)


if __name__ == "__main__":
    main()
