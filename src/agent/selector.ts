/**
 * The Selector (tools/text/cls_matrix.py): binary critical-joint tensors [classes, V, V] (float64)
 * for the j / b / k modalities, built from the round-4 answers of the conversation files. Only
 * lines that begin with "<number>-" count; a marked joint (or every bone / K-bone pair containing
 * it, by pair *position*) sets a whole row to 1. jm/bm/km reuse the j/b/k tensors.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type NdArray, zeros } from '../io/ndarray.js';
import { writeNpy } from '../io/npy.js';
import { pyStrip } from '../text/python-text.js';
import { SEPARATOR } from './conversation.js';
import { type JointPair, LAYOUTS } from '../skeleton/layouts.js';
import type { AgentLayout } from './layouts.js';

export type SelectorModality = 'j' | 'b' | 'k';
export const SELECTOR_MODALITIES: readonly SelectorModality[] = ['j', 'b', 'k'];

/** The modality whose tensor a (possibly motion) modality uses. */
export function selectorModalityOf(modality: string): SelectorModality {
  const base = modality.replace(/m$/, '');
  if (base === 'j' || base === 'b' || base === 'k') return base;
  throw new Error(`unknown modality '${modality}' (expected j, b, k, jm, bm or km)`);
}

/**
 * 1-based joint numbers at the start of the round-4 answer's lines, in order of appearance
 * (repeats kept). Empty when the file has fewer than 4 separator pieces.
 */
export function criticalJointNumbers(conversation: string): number[] {
  const pieces = conversation.split(SEPARATOR);
  if (pieces.length < 4) return [];
  const parts = pyStrip(pieces[3]).split('Round 4 Answer:\n');
  const numbers: number[] = [];
  for (const raw of pyStrip(parts[parts.length - 1]).split('\n')) {
    const m = /^(\d+)-/.exec(pyStrip(raw));
    if (m) numbers.push(Number(m[1]));
  }
  return numbers;
}

function rowsFor(joint0: number, modality: SelectorModality, layout: AgentLayout): number[] {
  const { numJoints: joints, bonePairs, kbonePairs } = LAYOUTS[layout];
  if (modality === 'j') {
    // numpy's E[c, -1] for joint number 0: the last row.
    return [joint0 < 0 ? joints + joint0 : joint0];
  }
  const pairs: readonly JointPair[] = modality === 'b' ? bonePairs : kbonePairs;
  return pairs.flatMap(([v1, v2], position) => (v1 === joint0 || v2 === joint0 ? [position] : []));
}

/**
 * The critical-joint tensor of one modality. `conversations[c]` is class c's file text, or null
 * for a missing file (its rows stay zero, as in the original). A joint number above V is an error
 * naming the class (the original crashes with an IndexError).
 */
export function buildCriticalJoints(
  conversations: readonly (string | null)[], layout: AgentLayout, modality: SelectorModality,
): NdArray<'float64'> {
  const V = LAYOUTS[layout].numJoints;
  const out = zeros('float64', [conversations.length, V, V]);
  conversations.forEach((text, c) => {
    if (text === null) return;
    for (const n of criticalJointNumbers(text)) {
      if (n > V) throw new Error(`class ${c}: round 4 names joint ${n}, but layout '${layout}' has ${V} joints`);
      for (const row of rowsFor(n - 1, modality, layout)) out.data.fill(1, (c * V + row) * V, (c * V + row + 1) * V);
    }
  });
  return out;
}

/** File name the original uses: `<dataset>_<j|b|k>_critical_joints.npy`. */
export function criticalJointsFileName(dataset: string, modality: SelectorModality): string {
  return `${dataset}_${modality}_critical_joints.npy`;
}

/** Builds the j, b and k tensors and writes them into `dir` under the original's names. */
export function writeCriticalJointFiles(
  dir: string, dataset: string, layout: AgentLayout, conversations: readonly (string | null)[],
): Record<SelectorModality, NdArray<'float64'>> {
  mkdirSync(dir, { recursive: true });
  const out = {} as Record<SelectorModality, NdArray<'float64'>>;
  for (const m of SELECTOR_MODALITIES) {
    out[m] = buildCriticalJoints(conversations, layout, m);
    writeNpy(join(dir, criticalJointsFileName(dataset, m)), out[m]);
  }
  return out;
}
