/**
 * Reads the reference pipeline manifests (fixtures/pipelines/**) and compares pipeline records
 * and generator calls with them: arrays bit for bit (or by their stored statistics), scalars
 * exactly, keys in the same order.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bytesOf, type NdArray } from '../../src/io/ndarray.js';
import { readNpy } from '../../src/io/npy.js';
import { floatValues, isFloatDType, type FloatArray } from '../../src/transforms/array/float.js';
import type { RngCall } from '../../src/rng/index.js';
import type { PipelineRecord } from '../../src/transforms/types.js';
import { fixture } from '../fixtures.js';

export interface ValueDesc {
  kind: string;
  value?: unknown;
  dtype?: string;
  shape?: number[];
  file?: string;
  stats?: { sum: number; abs_sum: number; mean: number; min: number; max: number };
}

export interface FixtureCall {
  lib: 'numpy' | 'python';
  fn: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  result: unknown;
}

export interface Stage {
  index: number;
  op: string;
  cfg: Record<string, unknown>;
  outputs: Record<string, ValueDesc>;
  rng_calls: FixtureCall[];
  frame_indices?: number[];
}

export interface Manifest {
  config: string;
  pipeline: string;
  mode: string;
  test_mode: boolean;
  seeding?: { numpy_global_seed: number; python_random_seed: number };
  input: Record<string, ValueDesc>;
  stages: Stage[];
}

export function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixture(...parts), 'utf8')) as T;
}

const arrays = new Map<string, NdArray>();
export function fixtureArray(file: string): NdArray {
  let a = arrays.get(file);
  if (!a) {
    a = readNpy(fixture(file));
    arrays.set(file, a);
  }
  return a;
}

/** The record the original dataset handed to the pipeline. */
export function inputRecord(input: Record<string, ValueDesc>): PipelineRecord {
  const rec: PipelineRecord = {};
  for (const [key, d] of Object.entries(input)) {
    if (d.kind === 'ndarray') {
      assert.ok(d.file, `input ${key} has no stored array`);
      const a = fixtureArray(d.file);
      rec[key] = { ...a, data: a.data.slice() }; // ops may modify their input
    } else {
      rec[key] = d.value;
    }
  }
  return rec;
}

function stats(a: NdArray) {
  const v = isFloatDType(a.dtype) ? floatValues(a as FloatArray) : Array.from(a.data as ArrayLike<number | bigint>, Number);
  let sum = 0, abs = 0, min = Infinity, max = -Infinity;
  for (const x of v) { sum += x; abs += Math.abs(x); min = Math.min(min, x); max = Math.max(max, x); }
  return { sum, abs_sum: abs, mean: sum / v.length, min, max };
}

function close(a: number, b: number, rel: number): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Compares one value of a record with its description. */
export function checkValue(actual: unknown, d: ValueDesc, where: string): void {
  if (d.kind === 'ndarray' || d.kind === 'torch.Tensor') {
    const a = actual as NdArray;
    assert.ok(a && typeof a === 'object' && 'dtype' in a, `${where}: expected an array`);
    assert.equal(a.dtype, d.dtype, `${where}: dtype`);
    assert.deepEqual([...a.shape], d.shape, `${where}: shape`);
    if (d.file) {
      const e = fixtureArray(d.file);
      const same = Buffer.compare(Buffer.from(bytesOf(a)), Buffer.from(bytesOf(e))) === 0;
      if (!same) {
        const av = isFloatDType(a.dtype) ? floatValues(a as FloatArray) : Array.from(a.data as ArrayLike<number>, Number);
        const ev = isFloatDType(e.dtype) ? floatValues(e as FloatArray) : Array.from(e.data as ArrayLike<number>, Number);
        let bad = 0, first = -1;
        for (let i = 0; i < av.length; i++) if (!Object.is(av[i], ev[i])) { bad++; if (first < 0) first = i; }
        assert.fail(`${where}: ${bad} of ${av.length} elements differ; first at ${first}: ${av[first]} vs ${ev[first]}`);
      }
    } else {
      const s = stats(a);
      const e = d.stats!;
      for (const k of ['sum', 'abs_sum', 'mean'] as const) assert.ok(close(s[k], e[k], 1e-9), `${where}: ${k} ${s[k]} vs ${e[k]}`);
      assert.equal(s.min, e.min, `${where}: min`);
      assert.equal(s.max, e.max, `${where}: max`);
    }
    return;
  }
  if (d.kind === 'NoneType') assert.equal(actual, null, where);
  else assert.deepEqual(actual, d.value, `${where} (${d.kind})`);
}

export function checkRecord(rec: PipelineRecord, outputs: Record<string, ValueDesc>, where: string): void {
  assert.deepEqual(Object.keys(rec), Object.keys(outputs), `${where}: keys`);
  for (const [key, d] of Object.entries(outputs)) checkValue(rec[key], d, `${where}.${key}`);
}

/** Fixture calls in our call shape: keyword arguments appended positionally, in order. */
export function normaliseFixtureCalls(calls: readonly FixtureCall[]): unknown[] {
  return calls.map((c) => ({ lib: c.lib, fn: c.fn, args: [...c.args, ...Object.values(c.kwargs)], result: c.result }));
}

/** Our traced calls in the fixture's call shape (`randintArray(highs)` is numpy's `randint(highs)`). */
export function normaliseCalls(calls: readonly RngCall[]): unknown[] {
  return calls.map((c) => ({ lib: c.lib, fn: c.fn === 'randintArray' ? 'randint' : c.fn, args: [...c.args], result: c.result ?? null }));
}
