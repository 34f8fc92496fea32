/** Argument helpers shared by the `skagent data ...` commands. */
import { ExitCode, UserError } from '../../errors.js';
import { INPUT_LAYOUTS, type InputLayoutName, isInputLayoutName } from '../../skeleton/layouts.js';

/** Exactly `count` positional arguments, named in the usage error. */
export function positionals(values: string[], names: readonly string[]): string[] {
  if (values.length !== names.length) {
    throw new UserError(`expected ${names.map((n) => `<${n}>`).join(' ')}, got ${values.length} argument(s)`, ExitCode.usage);
  }
  return values;
}

export function layoutOption(value: string | undefined): InputLayoutName | undefined {
  if (value === undefined) return undefined;
  if (!isInputLayoutName(value)) throw new UserError(`--layout must be one of ${Object.keys(INPUT_LAYOUTS).join(', ')}, got '${value}'`, ExitCode.usage);
  return value;
}

export function intOption(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name} expects an integer ≥ ${min}, got '${value}'`, ExitCode.usage);
  return n;
}

export function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}
