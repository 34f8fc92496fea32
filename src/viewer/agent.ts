/**
 * The Agent view's data: per class, the conversation rounds (the run's own copy under
 * `<work_dir>/<dataset>/`, or a conversations folder given directly), the critical joints its
 * round 4 names (agent/selector.ts), and from the run log's agent entries each refresh's
 * confusion lists and new descriptions; plus a rest pose of the layout to draw the joints on.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SEPARATOR, extractDescription } from '../agent/conversation.js';
import { DATASETS, isDatasetCode } from '../skeleton/datasets.js';
import { criticalJointNumbers } from '../agent/selector.js';
import { JOINT_LANDMARKS, type SynthLayout, isSynthLayout } from '../data/synth/layouts.js';
import { LANDMARK_INDEX, forwardKinematics, restPose } from '../data/synth/stick-figure.js';
import { LAYOUTS, type LayoutName } from '../skeleton/layouts.js';
import type { RunLog } from './run-log.js';

const CLASS_FILE = /^(\d{3})_(.+)\.txt$/;

export interface AgentRound { number: number; question: string; answer: string }

export interface AgentClass {
  readonly index: number;
  readonly name: string;
  readonly file: string;
  readonly rounds: AgentRound[];
  /** The description training uses now (the final round's answer, agent/conversation.ts). */
  readonly description: string;
  /** 1-based joint numbers from round 4, in order, without repeats. */
  readonly criticalJoints: number[];
}

export interface AgentRefresh {
  readonly epoch: number;
  readonly updated: number[];
  readonly failed: number[];
  /** Per class, the classes it was confused with at this refresh (when the log records them). */
  readonly confused: number[][] | null;
  /** New descriptions of the updated classes, by class index (when the log records them). */
  readonly descriptions: Record<string, string> | null;
}

export interface AgentHistory {
  readonly folder: string | null;
  readonly dataset: string | null;
  readonly layout: LayoutName;
  readonly classes: AgentClass[];
  readonly refreshes: AgentRefresh[];
  /** A standing figure in the layout's joints: [V][x, y, z]. */
  readonly restPose: [number, number, number][];
  readonly edges: [number, number][];
  readonly problems: string[];
}

/** Rounds by the common layout ("Round r Question:" … "Round r Answer:" … separator), leniently. */
export function parseRounds(text: string): AgentRound[] {
  return text.split(SEPARATOR).flatMap((piece) => {
    const m = /Round (\d+) Question:\n([\s\S]*?)\n\s*Round \1 Answer:\n([\s\S]*)/.exec(piece);
    return m ? [{ number: Number(m[1]), question: m[2].trim(), answer: m[3].trim() }] : [];
  });
}

function conversationFolder(dir: string): string | null {
  const hasClassFiles = (d: string) => { try { return readdirSync(d).some((n) => CLASS_FILE.test(n)); } catch { return false; } };
  if (hasClassFiles(dir)) return dir;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory() && hasClassFiles(p)) return p;
  }
  return null;
}

function restPoseOf(layout: LayoutName): [number, number, number][] {
  const V = LAYOUTS[layout].numJoints;
  const synth: SynthLayout | null = isSynthLayout(layout) ? layout : null;
  if (!synth) {
    // No landmark table for this layout: joints on a circle, still showing which are critical.
    return Array.from({ length: V }, (_, v) => [Math.cos((2 * Math.PI * v) / V) * 0.6, 1 + Math.sin((2 * Math.PI * v) / V) * 0.6, 0]);
  }
  const xyz = forwardKinematics(restPose(), 1.75);
  return JOINT_LANDMARKS[synth].map((name) => {
    const i = LANDMARK_INDEX[name] * 3;
    return [xyz[i], xyz[i + 1], xyz[i + 2]];
  });
}

function numbers(v: unknown): number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
}

export function readAgentHistory(dir: string, log: RunLog | null): AgentHistory {
  const problems: string[] = [];
  const folder = conversationFolder(dir);
  const dataset = folder ? basename(folder) : null;
  const layout: LayoutName = dataset && isDatasetCode(dataset) ? DATASETS[dataset].layout : 'nturgb+d';
  const classes: AgentClass[] = [];
  if (folder) {
    for (const file of readdirSync(folder).filter((n) => CLASS_FILE.test(n)).sort()) {
      const m = CLASS_FILE.exec(file)!;
      let text: string;
      try { text = readFileSync(join(folder, file), 'utf8'); } catch (err) { problems.push(`${file}: ${(err as Error).message}`); continue; }
      const rounds = parseRounds(text);
      if (rounds.length === 0) problems.push(`${file}: no "Round N Question/Answer" blocks`);
      let description = '';
      try { description = extractDescription(text); } catch { description = rounds.at(-1)?.answer ?? ''; }
      classes.push({
        index: Number(m[1]) - 1, name: m[2].replaceAll('_', ' '), file, rounds, description,
        criticalJoints: [...new Set(criticalJointNumbers(text))],
      });
    }
  } else {
    problems.push('no conversation files (NNN_<class>.txt) here: the run kept its initial descriptions, or ran without --agent');
  }
  const refreshes: AgentRefresh[] = (log?.events ?? []).filter((e) => e.mode === 'agent').map((e) => ({
    epoch: typeof e.agent_epoch === 'number' ? e.agent_epoch : Number(e.epoch),
    updated: numbers(e.updated_classes), failed: numbers(e.failed_classes),
    confused: Array.isArray(e.confused) ? (e.confused as unknown[]).map(numbers) : null,
    descriptions: e.descriptions && typeof e.descriptions === 'object' ? (e.descriptions as Record<string, string>) : null,
  }));
  return {
    folder: folder ? basename(folder) : null, dataset, layout, classes, refreshes, problems,
    restPose: restPoseOf(layout), edges: LAYOUTS[layout].inward.map(([a, b]) => [a, b]),
  };
}
