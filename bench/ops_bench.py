"""Python side of bench/ops_bench.ts (run with Debian's /usr/bin/python3, which has PyTorch 1.13).

A line-based server, so that the TypeScript side can interleave its samples with ours (both sides
then see the same machine load). Each stdin line is a JSON command, each answer one JSON line:

  {"op": "init", "threads": n}            -> {"version", "threads"}
  {"op": "setup", "case": {...}}          -> {} (builds the inputs of a case from bench/ops_cases.ts)
  {"op": "sample", "mode": "fwd"|"fwd+bwd"} -> {"seconds"} (one timed run of the current case)
  {"op": "tiny", "calls": n}              -> {"us"} (CPU microseconds per x.add(1) on a 1-element tensor)
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def make(case):
    """(inputs that get gradients, forward function) for one case; float32, N(0, 1) values."""
    kind = case['kind']
    if kind == 'conv2d':
        x, w, b = torch.randn(case['input']), torch.randn(case['weight']), torch.randn(case['weight'][0])
        return [x, w, b], lambda: F.conv2d(x, w, b, stride=case['stride'], padding=case['padding'], dilation=case['dilation'])
    if kind == 'batch_norm':
        c = case['input'][1]
        x, w, b = torch.randn(case['input']), torch.randn(c), torch.randn(c)
        rm, rv = torch.zeros(c), torch.ones(c)
        return [x, w, b], lambda: F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1, eps=1e-5)
    if kind == 'einsum':
        ops = [torch.randn(s) for s in case['operands']]
        return ops, lambda: torch.einsum(case['equation'], *ops)
    if kind == 'bmm':
        a, b = (torch.randn(s) for s in case['operands'])
        return [a, b], lambda: torch.bmm(a, b)
    raise ValueError(f"unknown case kind {kind!r}")


class Bench:
    def __init__(self):
        self.inputs, self.fwd = [], None

    def init(self, cmd):
        torch.set_num_threads(cmd['threads'])
        torch.manual_seed(0)
        return {'version': torch.__version__, 'threads': torch.get_num_threads()}

    def setup(self, cmd):
        self.inputs, self.fwd = make(cmd['case'])
        return {}

    def sample(self, cmd):
        t0 = time.perf_counter()
        if cmd['mode'] == 'fwd':
            with torch.no_grad():
                self.fwd()
        else:
            for t in self.inputs:
                t.requires_grad_(True)
                t.grad = None
            self.fwd().sum().backward()
        return {'seconds': time.perf_counter() - t0}

    def tiny(self, cmd):
        x = torch.zeros(1)
        t0 = time.process_time()
        for _ in range(cmd['calls']):
            x.add(1)
        return {'us': (time.process_time() - t0) / cmd['calls'] * 1e6}


def main():
    bench = Bench()
    for line in sys.stdin:
        cmd = json.loads(line)
        sys.stdout.write(json.dumps(getattr(bench, cmd['op'])(cmd)) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
