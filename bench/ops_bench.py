"""Python side of bench/ops_bench.ts (run with Debian's /usr/bin/python3, which has PyTorch 1.13).

Reads {"cases": [...], "timing": {...}, "threads": n} as JSON on stdin (cases from bench/ops_cases.ts),
times each case's forward and forward+backward exactly as the TypeScript side does, and prints
{"version", "threads", "results": {"<case>|<mode>": median_seconds}, "tiny_op_us": us} as JSON.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def make(case):
    """(inputs that require grad, forward function) for one case; float32, N(0, 1) values."""
    kind = case['kind']
    if kind == 'conv2d':
        x, w, b = torch.randn(case['input']), torch.randn(case['weight']), torch.randn(case['weight'][0])
        fwd = lambda: F.conv2d(x, w, b, stride=case['stride'], padding=case['padding'], dilation=case['dilation'])
        return [x, w, b], fwd
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


def median_seconds(run, timing):
    for _ in range(timing['warmup']):
        run()
    samples, start = [], time.perf_counter()
    while len(samples) < timing['maxRuns'] and (len(samples) < timing['minRuns'] or time.perf_counter() - start < timing['minSeconds']):
        t0 = time.perf_counter()
        run()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def bench_case(case, timing):
    inputs, fwd = make(case)

    def forward():
        with torch.no_grad():
            fwd()

    def forward_backward():
        for t in inputs:
            t.grad = None
        fwd().sum().backward()

    out = {f"{case['name']}|fwd": median_seconds(forward, timing)}
    for t in inputs:
        t.requires_grad_(True)
    out[f"{case['name']}|fwd+bwd"] = median_seconds(forward_backward, timing)
    return out


def tiny_op_us(timing):
    """CPU microseconds per x.add(1) on a 1-element tensor (CPU time, as the TypeScript side)."""
    x = torch.zeros(1)
    samples = []
    for _ in range(timing['tinyOpRepeats']):
        t0 = time.process_time()
        for _ in range(timing['tinyOpCalls']):
            x.add(1)
        samples.append((time.process_time() - t0) / timing['tinyOpCalls'] * 1e6)
    return statistics.median(samples)


def main():
    cfg = json.load(sys.stdin)
    torch.set_num_threads(cfg['threads'])
    torch.manual_seed(0)
    results = {}
    for case in cfg['cases']:
        results.update(bench_case(case, cfg['timing']))
    print(json.dumps({'version': torch.__version__, 'threads': torch.get_num_threads(), 'results': results,
                      'tiny_op_us': tiny_op_us(cfg['timing'])}))


if __name__ == '__main__':
    main()
