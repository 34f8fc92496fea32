"""Python side of bench/model_bench.ts: the PyTorch reference model (skeletonagent_model.py) timed
as the original trains and tests (run with Debian's /usr/bin/python3, which has PyTorch 1.13).

One measurement (what model_bench.ts runs, one fresh process per round and mode, so that the
peak memory is that mode's): warm-up iterations, then timed ones, then one JSON line
  {"mode", "seconds": [per-iteration times], "peak_rss_kb", "torch", "threads"}
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2 /usr/bin/python3 bench/reference/model_bench.py train --iters 2

Standalone profile of one step (after one warm-up step), top operators by self CPU time:
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=2 /usr/bin/python3 bench/reference/model_bench.py train --profile
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from skeletonagent_model import Recognizer  # noqa: E402

# NTU-60 joint model (ntu60_xsub/j): 60 classes, 25 joints, 2 persons, 100 frames, 3 channels.
CLASSES, JOINTS, PERSONS, FRAMES, CHANNELS = 60, 25, 2, 100, 3
# The five NTU part groups of the mix-up (skeletonagent/models/recognizers/tools.py, 'nturgb+d').
MIX_GROUPS = [[3, 2, 20, 1, 0], [8, 9, 10, 11, 23, 24], [4, 5, 6, 7, 21, 22], [16, 17, 18, 19], [12, 13, 14, 15]]
WEIGHT_1, WEIGHT_2 = 0.2, 0.5
TEXT_DIM = 512


def build_model():
    A = torch.randn(8, JOINTS, JOINTS) * 0.02 + 0.04
    examplar = (torch.rand(CLASSES, JOINTS, 1) < 0.3).float().expand(CLASSES, JOINTS, JOINTS).contiguous()
    return Recognizer(CLASSES, JOINTS, A, examplar)


def skeleton_mix(x, labels):
    """The part/time swap of `skeleton_mix` (the 75 % branch), same tensor work as the original."""
    import random
    N, _, T, V, _ = x.shape
    S = T // 4
    partner = (torch.arange(N) + int(torch.randint(1, max(N - 1, 2), (1,)))) % N
    joints = sorted({j for g in random.sample(MIX_GROUPS, random.randint(2, 3)) for j in g})
    ct = random.randint(13, 20)
    t0 = random.randint(0, S - ct)
    ct2 = random.randint(ct, S)
    t2 = random.randint(0, S - ct2)
    with torch.no_grad():
        xs = x.clone()
        seg = xs[partner][:, :, 4 * t2:4 * t2 + 4 * ct2]
        seg = F.interpolate(seg.permute(0, 1, 3, 4, 2).reshape(N, -1, 4 * ct2), size=4 * ct, mode='nearest')
        seg = seg.reshape(N, PERSONS, V, CHANNELS, 4 * ct).permute(0, 1, 4, 2, 3)
        xs[:, :, 4 * t0:4 * t0 + 4 * ct][:, :, :, joints] = seg[:, :, :, joints]
        lam = ct * len(joints) / (S * V)
        one_hot = F.one_hot(labels, CLASSES).float()
        return xs, (1 - lam) * one_hot + lam * one_hot[partner]


def kl_align(logits, same):
    q = (10 * same).softmax(1)
    return F.kl_div(logits.log_softmax(1), q, reduction='sum') / logits.shape[1]


def training_forward(model, x):
    """The recogniser's training forward as one call (DDP wraps it): logits, x1, x2, logit scale."""
    f, x1, x2 = model.backbone(x)
    return model.logits(f), x1, x2, model.backbone.logit_scale[:, 0].mean()


def train_step(forward, optimizer, text_table, batch):
    """One training step; `forward` is training_forward's signature (the model, or DDP around it)."""
    x = torch.randn(batch, PERSONS, FRAMES, JOINTS, CHANNELS)
    labels = torch.randint(0, CLASSES, (batch,))
    x_mix, y_mix = skeleton_mix(x, labels)
    logits, x1, x2, s = forward(torch.cat([x, x_mix]))
    z, z_mix = logits[:batch], logits[batch:]
    loss = F.cross_entropy(z, labels) - (y_mix * z_mix.log_softmax(1)).sum(1).mean()
    loss = loss + WEIGHT_1 * F.cross_entropy(x1[:batch], labels)
    a = x2[:batch] / x2[:batch].norm(dim=-1, keepdim=True)
    t = text_table[labels]
    t = t / t.norm(dim=-1, keepdim=True)
    same = (labels[:, None] == labels[None]).float()
    loss = loss + WEIGHT_2 * (kl_align(s * a @ t.t(), same) + kl_align(s * t @ a.t(), same)) / 2
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()


def infer_step(model, batch, clips):
    x = torch.randn(batch * clips, PERSONS, FRAMES, JOINTS, CHANNELS)
    with torch.no_grad():
        f, _, _ = model.backbone(x)
        return model.logits(f).view(batch, clips, -1).softmax(2).mean(1)


class Bench:
    def __init__(self, train_batch, infer_batch, clips):
        torch.manual_seed(0)
        self.train_batch, self.infer_batch, self.clips = train_batch, infer_batch, clips
        self.model = build_model()
        self.text_table = torch.randn(CLASSES, TEXT_DIM)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.025, momentum=0.9, nesterov=True, weight_decay=5e-4)

    def step(self, mode):
        if mode == 'train':
            self.model.train()
            train_step(lambda x: training_forward(self.model, x), self.optimizer, self.text_table, self.train_batch)
        else:
            self.model.eval()
            infer_step(self.model, self.infer_batch, self.clips)

    def timed(self, mode, iters):
        seconds = []
        for _ in range(iters):
            t0 = time.perf_counter()
            self.step(mode)
            seconds.append(time.perf_counter() - t0)
        return seconds


def peak_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(bench, mode, iters, warmup):
    for _ in range(warmup):
        bench.step(mode)
    seconds = bench.timed(mode, iters)
    print(json.dumps({'mode': mode, 'seconds': seconds, 'peak_rss_kb': peak_rss_kb(), 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)


def profile(bench, mode, rows):
    from torch.profiler import profile as torch_profile, ProfilerActivity
    bench.step(mode)
    with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
        bench.step(mode)
    print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=rows))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('mode', choices=['train', 'infer'])
    p.add_argument('--iters', type=int, default=2)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--train-batch', type=int, default=16)
    p.add_argument('--infer-batch', type=int, default=1)
    p.add_argument('--clips', type=int, default=10)
    p.add_argument('--profile', action='store_true', help='print the operator profile of one step instead')
    p.add_argument('--rows', type=int, default=30)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    bench = Bench(a.train_batch, a.infer_batch, a.clips)
    if a.profile:
        profile(bench, a.mode, a.rows)
    else:
        measure(bench, a.mode, a.iters, a.warmup)


if __name__ == '__main__':
    main()
