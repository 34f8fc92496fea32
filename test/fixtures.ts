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

/** ../shared/fixtures or $SKAGENT_FIXTURES, or null. */
export const FIXTURES = locate('SKAGENT_FIXTURES', 'fixtures');
/** ../shared/original or $SKAGENT_ORIGINAL (the original's data assets), or null. */
export const ORIGINAL = locate('SKAGENT_ORIGINAL', 'original');

export const REPO_ROOT = repoRoot;

/** A `skip` option for node:test: false when present, else a loud reason. */
export function needFixtures(): string | false {
  if (FIXTURES) return false;
  const msg = 'SKIPPED: reference fixtures not found (set SKAGENT_FIXTURES or place ../shared/fixtures)';
  console.warn(`\n*** ${msg} ***\n`);
  return msg;
}

export function needOriginal(): string | false {
  if (ORIGINAL) return false;
  const msg = 'SKIPPED: original data assets not found (set SKAGENT_ORIGINAL or place ../shared/original)';
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
