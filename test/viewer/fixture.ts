/**
 * A tiny work folder for the viewer tests, written with the project's own writers: a training
 * run's logs (with agent refreshes), its test results (from real scores over a real synthetic
 * dataset split), a 2D dataset, and a conversation folder in the original's file format.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatConversation } from '../../src/agent/conversation.js';
import { writeSynthetic, SYNTH_CLASS_NAMES, openAnnotations } from '../../src/data/index.js';
import { writeTestResults } from '../../src/engine/results.js';
import { ndarray } from '../../src/io/ndarray.js';

export const CLASSES = 4;

export interface ViewerFixture {
  readonly root: string;
  readonly runDir: string;
  readonly resultDir: string;
  readonly valResultDir: string;
  readonly boneResultDir: string;
  readonly annFile: string;
  readonly events: Record<string, unknown>[];
}

/** Deterministic pseudo-random scores leaning towards the true class for most samples. */
function scoresFor(labels: readonly number[], seed: number): Float32Array {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out = new Float32Array(labels.length * CLASSES);
  labels.forEach((l, i) => {
    for (let c = 0; c < CLASSES; c++) out[i * CLASSES + c] = rand();
    if (rand() < 0.6) out[i * CLASSES + l] += 1;
  });
  return out;
}

export function makeFixture(): ViewerFixture {
  const root = mkdtempSync(join(tmpdir(), 'skagent-view-'));
  const data = join(root, 'data');
  mkdirSync(data);
  const annFile = join(data, 'synth_ntu.pkl');
  writeSynthetic(annFile, { layout: 'nturgb+d', classes: CLASSES, perClass: 6, seed: 3, minFrames: 20, maxFrames: 30 });
  writeFileSync(join(data, 'labels.txt'), SYNTH_CLASS_NAMES.slice(0, CLASSES).join('\n') + '\n');
  writeSynthetic(join(data, 'synth_coco.pkl'), { layout: 'coco', classes: 2, perClass: 2, seed: 1, minFrames: 20, maxFrames: 24 });

  const source = openAnnotations(annFile);
  const split = (name: string) => source.select(name).indices.map((i) => source.info(i).label);
  const valLabels = split('xsub_val');
  const trainLabels = split('xsub_train');
  source.close();

  const runDir = join(root, 'j');
  mkdirSync(runDir);
  const events: Record<string, unknown>[] = [];
  let iter = 0;
  for (let epoch = 1; epoch <= 3; epoch++) {
    for (let k = 0; k < 2; k++) {
      iter++;
      events.push({ mode: 'train', epoch, iter, lr: 0.1 / iter, loss: 3 - 0.3 * iter + 0.01 * k, loss_cls: 1, loss_constraint: 1, loss_align: 1, top1_acc: 0.1 * iter, top5_acc: Math.min(1, 0.2 * iter) });
    }
    if (epoch === 2) {
      events.push({ mode: 'agent', epoch, agent_epoch: 2, updated_classes: [0], failed_classes: [1], confused: [[2], [0, 3], [], []], descriptions: { 0: 'a person waves the right hand above the head' } });
    }
    events.push({ mode: 'val', epoch, iter, top1_acc: 0.2 * epoch, top5_acc: 0.3 * epoch, mean_class_accuracy: 0.15 * epoch });
  }
  writeFileSync(join(runDir, '20260101_000000.log.json'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(runDir, '20260101_000000.log'), '2026-01-01T00:00:00.000Z - training quick/j: 12 samples, batch 8\n');

  const conv = join(runDir, 'custom');
  mkdirSync(conv);
  SYNTH_CLASS_NAMES.slice(0, CLASSES).forEach((name, c) => {
    const rounds = [1, 2, 3, 4, 5].map((n) => ({
      number: n, question: `Question ${n} about ${name}?`,
      answer: n === 4 ? '4-head: moves.\n8-left hand: lifts.\n12-right hand: lifts.' : n === 5 ? `a person does ${name}` : `answer ${n}`,
    }));
    writeFileSync(join(conv, `${String(c + 1).padStart(3, '0')}_${name.replace(/[/ ]/g, '_')}.txt`), formatConversation(rounds));
  });

  const write = (dir: string, labels: readonly number[], seed: number, config: string, splitName: string) =>
    writeTestResults(dir, { scores: ndarray('float32', [labels.length, CLASSES], scoresFor(labels, seed)), labels, info: { config, annotations: annFile, split: splitName, numClips: 10 } });
  const resultDir = join(runDir, 'test');
  write(resultDir, valLabels, 7, 'quick/j', 'xsub_val');
  const boneResultDir = join(root, 'b', 'test');
  write(boneResultDir, valLabels, 11, 'quick/b', 'xsub_val');
  const valResultDir = join(runDir, 'val');
  write(valResultDir, trainLabels, 5, 'quick/j', 'xsub_train');
  write(join(root, 'b', 'val'), trainLabels, 9, 'quick/b', 'xsub_train');
  return { root, runDir, resultDir, valResultDir, boneResultDir, annFile, events };
}
