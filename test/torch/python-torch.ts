/**
 * Runs Debian's system Python with PyTorch 1.13 (the reference implementation) for cross-checks.
 * Tests that need it skip, loudly, when it is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = process.env.SKAGENT_PYTHON ?? '/usr/bin/python3';

const available = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;

/** A `skip` option for node:test: false when Python with torch is available, else a loud reason. */
export function needPythonTorch(): string | false {
  if (available) return false;
  const msg = `SKIPPED: ${PYTHON} with torch and numpy not found (set SKAGENT_PYTHON)`;
  console.warn(`\n*** ${msg} ***\n`);
  return msg;
}

/** Runs `script` (one torch thread) with `input` as JSON on stdin; returns the JSON it prints. */
export function runPythonJson<T>(script: string, input: unknown = null): T {
  const prelude = 'import json, sys, torch\ntorch.set_num_threads(1)\n';
  const r = spawnSync(PYTHON, ['-c', prelude + script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
