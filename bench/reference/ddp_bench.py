"""Python side of bench/ddp_bench.ts: PyTorch's own data parallelism (torch.distributed, Gloo) on the
reference model (skeletonagent_model.py), one process per rank (RANK, WORLD_SIZE, MASTER_ADDR,
MASTER_PORT in the environment; WORLD_SIZE=1: one plain process, no DDP). Prints one JSON line per
rank: {"mode", "rank", "world", "seconds": [per-iteration], ...}.

  reduce     DDP's gradient averaging on the model's gradient set: the backward of
             sum_p <p, c_p> (every parameter gets a known gradient at almost no compute) under
             DistributedDataParallel(find_unused_parameters=True, broadcast_buffers=False)
  train      the model_bench.py training step (mix-up, every loss, backward, SGD) under
             DistributedDataParallel(find_unused_parameters=True, broadcast_buffers=False)
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_bench import build_model, train_step, training_forward, CLASSES, TEXT_DIM  # noqa: E402

class Whole(torch.nn.Module):
    """The recogniser's training forward as a module: DDP's hooks run through its forward."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return training_forward(self.model, x)


class Probe(torch.nn.Module):
    """sum_p <p, c_p> over the model's parameters: its backward gives each parameter the gradient
    c_p and costs next to nothing, so timing it times DDP's reducer."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.coeffs = [torch.randn_like(q) for q in model.parameters()]

    def forward(self):
        return sum((q * c).sum() for q, c in zip(self.model.parameters(), self.coeffs))


def reducer_timings(data):
    """DDP logger's averages (ns) over the sampled iterations before the last one."""
    return {k: data.get(k, 0) for k in ('avg_backward_compute_time', 'avg_backward_comm_time', 'avg_backward_compute_comm_overlap_time')}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['reduce', 'train'])
    p.add_argument('--iters', type=int, default=3)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--threads', type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    rank, world = int(os.environ.get('RANK', 0)), int(os.environ.get('WORLD_SIZE', 1))
    if world > 1:
        dist.init_process_group('gloo', rank=rank, world_size=world)
    torch.manual_seed(0)
    model = build_model()
    seconds = []
    extra = {}
    if a.mode == 'reduce':
        net = torch.nn.parallel.DistributedDataParallel(Probe(model), find_unused_parameters=True, broadcast_buffers=False)
        params = list(model.parameters())
        extra = {'tensors': len(params), 'bytes': sum(q.numel() * 4 for q in params)}
        for i in range(a.warmup + a.iters):
            net.zero_grad(set_to_none=True)
            dist.barrier()
            t0 = time.perf_counter()
            net().backward()
            if i >= a.warmup:
                seconds.append(time.perf_counter() - t0)
    else:
        net = Whole(model)
        if world > 1:
            net = torch.nn.parallel.DistributedDataParallel(net, find_unused_parameters=True, broadcast_buffers=False)
        net.train()
        text_table = torch.randn(CLASSES, TEXT_DIM)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.025, momentum=0.9, nesterov=True, weight_decay=5e-4)
        torch.manual_seed(1 + rank)
        for i in range(a.warmup + a.iters):
            t0 = time.perf_counter()
            train_step(net, optimizer, text_table, a.batch)
            if i >= a.warmup:
                seconds.append(time.perf_counter() - t0)
        if world > 1:
            extra = {'reducer': reducer_timings(net._get_ddp_logging_data())}
    print(json.dumps({'mode': a.mode, 'rank': rank, 'world': world, 'seconds': seconds, 'torch': torch.__version__, **extra}), flush=True)


if __name__ == '__main__':
    main()
