/**
 * Where the original implementation's reference outputs live. Parity tests skip, loudly, when the
 * fixtures are absent (they are present on CI).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function locate(envVar: string, relative: string): string | null {
  const fromEnv = process.env[envVar];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  const p = resolve(repoRoot, '..', 'shared', relative);
  return existsSync(p) ? p : null;
}

/** $SKAGENT_FIXTURES, or `fixtures` in a `shared` folder next to the repository, or null. */
export const FIXTURES = locate('SKAGENT_FIXTURES', 'fixtures');
/** $SKAGENT_ORIGINAL, or `original` in a `shared` folder next to the repository (the original's data assets), or null. */
export const ORIGINAL = locate('SKAGENT_ORIGINAL', 'original');

export const REPO_ROOT = repoRoot;

/** A `skip` option for node:test: false when present, else a loud reason. */
export function needFixtures(): string | false {
  if (FIXTURES) return false;
  const msg = 'SKIPPED: reference fixtures not found (set SKAGENT_FIXTURES, or put them in a folder fixtures inside a folder shared beside the repository)';
  console.warn(`\n*** ${msg} ***\n`);
  return msg;
}

export function needOriginal(): string | false {
  if (ORIGINAL) return false;
  const msg = 'SKIPPED: original data assets not found (set SKAGENT_ORIGINAL, or put them in a folder original inside a folder shared beside the repository)';
  console.warn(`\n*** ${msg} ***\n`);
  return msg;
}

export function fixture(...parts: string[]): string {
  if (!FIXTURES) throw new Error('fixtures not available');
  return join(FIXTURES, ...parts);
}

export function original(...parts: string[]): string {
  if (!ORIGINAL) throw new Error('original assets not available');
  return join(ORIGINAL, ...parts);
}
