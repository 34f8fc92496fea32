/**
 * Runs the Debian system Python (which has numpy) for cross-checks. Tests that need it skip,
 * loudly, when it is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = process.env.SKAGENT_PYTHON ?? '/usr/bin/python3';

function probe(): boolean {
  if (!existsSync(PYTHON)) return false;
  const r = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.status === 0;
}

const available = probe();

/** A `skip` option for node:test: false when Python with numpy is available, else a loud reason. */
export function needPython(): string | false {
  if (available) return false;
  const msg = `SKIPPED: ${PYTHON} with numpy not found (set SKAGENT_PYTHON)`;
  console.warn(`\n*** ${msg} ***\n`);
  return msg;
}

/** Runs `script` with `input` as JSON on stdin; returns the JSON the script prints. */
export function runPythonJson<T>(script: string, input: unknown): T {
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
