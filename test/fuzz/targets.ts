/**
 * Every parser of outside input, as a fuzz target: its seed inputs (fixtures read at run time when
 * present, plus files the repo generates itself, so each target has seeds without the fixtures),
 * how to run the parser on one input, and which errors count as the parser's own (clear, naming
 * the input) as opposed to a crash (a TypeError, a RangeError from an allocation, ...).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type DType, type NdArray, zeros } from '../../src/io/ndarray.js';
import { encodeNpy, parseNpy } from '../../src/io/npy.js';
import { ANNOTATION_GLOBALS, type GlobalsPolicy, type PyValue, dumpPickle, loadPickle } from '../../src/io/pickle/index.js';
import { CHECKPOINT_GLOBALS, PthStorage, PthTensor, parsePth, writePth } from '../../src/io/pth.js';
import { ZipReader } from '../../src/io/zip.js';
import { parseSkeletonText } from '../../src/data/ntu-skeleton.js';
import { parseUavText } from '../../src/data/uav-raw.js';
import { parseConfigText } from '../../src/config/load.js';
import { convertToStore } from '../../src/data/convert.js';
import { PoseStore } from '../../src/data/store.js';
import { generateSynthetic, writeSynthetic } from '../../src/data/synthetic.js';
import { toPythonValue } from '../../src/data/pyskl-writer.js';
import { ClipTokenizer } from '../../src/text/tokenizer.js';
import { extractDescription, followUpHistory, formatConversation, parseConversation } from '../../src/agent/conversation.js';
import { PoseInputError, type PoseTarget, mapSequence, parsePoseJson } from '../../src/live/poses.js';
import { FIXTURES, ORIGINAL, REPO_ROOT } from '../fixtures.js';
import { type FuzzTarget, type Seed } from './target.js';
import { SERVER_TARGETS } from './server-targets.js';

const scratch = mkdtempSync(join(tmpdir(), 'skagent-fuzz-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

function fixtureFiles(dir: string, suffix: string, limit = Infinity): Seed[] {
  const root = FIXTURES;
  if (!root || !existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir)).filter((n) => n.endsWith(suffix)).sort().slice(0, limit)
    .map((n) => ({ name: `fixtures/${dir}/${n}`, bytes: readFileSync(join(root, dir, n)) }));
}

/** A small synthetic annotation file (the repo's own generator), as a protocol-2 and -4 pickle (protocol 5 comes from the fixtures). */
function syntheticPickles(): Seed[] {
  const content = generateSynthetic({ layout: 'nturgb+d', classes: 2, perClass: 2, minFrames: 4, maxFrames: 8, seed: 3 });
  return ([2, 4] as const).map((protocol) => ({ name: `synthetic_p${protocol}.pkl`, bytes: dumpPickle(toPythonValue(content), { protocol }) }));
}

/** Storages for checkpoint pickles fuzzed without their archive: views of one zero buffer (announced size, capped). */
const ZERO_STORAGE = new Float32Array(1 << 21);
function fakeStorage(pid: PyValue): PyValue {
  const numel = Array.isArray(pid) && typeof pid[4] === 'number' ? Math.min(Math.max(0, pid[4]), ZERO_STORAGE.length) : 0;
  return new PthStorage(String(Array.isArray(pid) ? pid[2] : ''), 'float32', ZERO_STORAGE.subarray(0, numel));
}

const pickleGlobals = new Map<string, { globals: GlobalsPolicy; persistentLoad?: (pid: PyValue) => PyValue }>();

export const pickle: FuzzTarget = {
  name: 'pickle',
  text: false,
  seeds() {
    const out = [...syntheticPickles(), ...fixtureFiles('annotations', '.pkl'), ...fixtureFiles('ensemble', '.pkl')];
    const tiny = FIXTURES && join(FIXTURES, 'clip', 'tiny_text_encoder.pth');
    if (tiny && existsSync(tiny)) {
      const zip = ZipReader.open(tiny);
      out.push({ name: 'fixtures/clip/tiny_text_encoder.pth:data.pkl', bytes: zip.read('tiny_text_encoder/data.pkl') });
      pickleGlobals.set('fixtures/clip/tiny_text_encoder.pth:data.pkl', { globals: CHECKPOINT_GLOBALS, persistentLoad: fakeStorage });
      zip.close();
    }
    return out;
  },
  parse(bytes, source) {
    const seed = source.slice(0, source.lastIndexOf('#'));
    const policy = pickleGlobals.get(seed) ?? { globals: ANNOTATION_GLOBALS };
    loadPickle(bytes, { ...policy, source });
  },
};

function npyArrays(): Seed[] {
  const dtypes: DType[] = ['float16', 'float32', 'float64', 'int16', 'int32', 'int64', 'uint8', 'bool'];
  return dtypes.map((dtype, i) => {
    const arr = zeros(dtype, [2, 3, i + 1]) as NdArray;
    for (let k = 0; k < arr.data.length; k++) (arr.data as unknown as number[])[k] = (dtype === 'int64' ? BigInt(k % 2) : k % 2) as number;
    return { name: `generated_${dtype}.npy`, bytes: encodeNpy(arr) };
  });
}

export const npy: FuzzTarget = {
  name: 'npy',
  text: false,
  seeds: () => [...npyArrays(), ...fixtureFiles('clip', '.npy'), ...fixtureFiles('ensemble', '.npy', 3)],
  parse: (bytes, source) => void parseNpy(bytes, source),
};

function generatedCheckpoint(): Seed {
  const path = join(scratch, 'generated.pth');
  const w = zeros('float32', [3, 4]) as NdArray;
  writePth(path, new Map<PyValue, PyValue>([
    ['state_dict', new Map<PyValue, PyValue>([['fc.weight', new PthTensor(w)], ['fc.bias', new PthTensor(zeros('float64', [3]) as NdArray)]])],
    ['meta', new Map<PyValue, PyValue>([['epoch', 2], ['iter', 10]])],
  ]) as unknown as PyValue);
  return { name: 'generated.pth', bytes: readFileSync(path) };
}

/** The zip layer (every entry read and CRC-checked) and then the checkpoint on top of it. */
export const pth: FuzzTarget = {
  name: 'zip/.pth',
  text: false,
  slow: true,
  seeds() {
    const out = [generatedCheckpoint()];
    const partial = FIXTURES && join(FIXTURES, 'models', 'finegym_j', 'checkpoint_partial.pth');
    if (partial && existsSync(partial)) out.push({ name: 'fixtures/models/finegym_j/checkpoint_partial.pth', bytes: readFileSync(partial) });
    return out;
  },
  parse(bytes, source) {
    const zip = ZipReader.fromBytes(bytes, source);
    try {
      for (const name of zip.names()) zip.read(name);
    } finally {
      zip.close();
    }
    parsePth(bytes, source);
  },
};

export const ntuSkeleton: FuzzTarget = {
  name: 'NTU .skeleton',
  text: true,
  seeds: () => fixtureFiles('ntu_raw/nturgb+d_skeletons', '.skeleton', 3).concat([{ name: 'generated.skeleton', bytes: Buffer.from(ntuText(3), 'latin1') }]),
  parse: (bytes, source) => void parseSkeletonText(Buffer.from(bytes).toString('latin1'), source),
};

function ntuText(frames: number): string {
  const lines = [String(frames)];
  for (let f = 0; f < frames; f++) {
    lines.push('1', '72057594037931101 0 1 1 1 1 0 0.1 0.2 2', '25');
    for (let j = 0; j < 25; j++) lines.push(`${0.1 * j} ${0.2 * f} 3.5 250 180 900 600 0 0 0 1 2`);
  }
  return lines.join('\r\n') + '\r\n';
}

/** A UAV-Human skeleton file (frames of 0–2 bodies of 17 joints). */
function uavText(bodiesPerFrame: readonly number[]): string {
  const lines = [String(bodiesPerFrame.length)];
  bodiesPerFrame.forEach((n, f) => {
    lines.push(String(n));
    for (let b = 0; b < n; b++) {
      lines.push('000 0 0 0 0 0 0 0 0 0', '17');
      for (let j = 0; j < 17; j++) lines.push(`${100 * (f + b) + j}.25 ${j * 10 + 0.5} 0.9`);
    }
  });
  return lines.join('\n') + '\n';
}

export const uavTxt: FuzzTarget = {
  name: 'UAV .txt',
  text: true,
  seeds: () => [[1, 2, 0], [2, 2], [1]].map((b, i) => ({ name: `generated_${i}.txt`, bytes: Buffer.from(uavText(b), 'latin1') })),
  parse: (bytes, source) => void parseUavText(Buffer.from(bytes).toString('latin1'), source),
};

function configFiles(dir: string): Seed[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? configFiles(join(dir, e.name))
    : e.name.endsWith('.json') ? [{ name: join(dir, e.name).slice(REPO_ROOT.length + 1), bytes: readFileSync(join(dir, e.name)) }] : []);
}

export const config: FuzzTarget = {
  name: 'config JSON',
  text: true,
  seeds: () => configFiles(join(REPO_ROOT, 'configs', 'quick')).concat(configFiles(join(REPO_ROOT, 'configs', 'ntu60_xsub')).slice(0, 3)),
  parse: (bytes, source) => void parseConfigText(Buffer.from(bytes).toString('utf8'), source),
};

function storeSeed(): Seed {
  const pkl = join(scratch, 'store-source.pkl');
  writeSynthetic(pkl, { layout: 'nturgb+d', classes: 2, perClass: 2, minFrames: 4, maxFrames: 8, seed: 5 });
  const out = join(scratch, 'seed.store');
  convertToStore(pkl, out);
  return { name: 'generated.store', bytes: readFileSync(out) };
}

/** The dataset store is read from a file (positioned reads), so each input is written first. */
export const store: FuzzTarget = {
  name: 'dataset store',
  text: false,
  seeds: () => [storeSeed()],
  parse(bytes, source) {
    const path = join(scratch, 'input.store');
    writeFileSync(path, bytes);
    let s: PoseStore;
    try {
      s = PoseStore.open(path);
    } catch (err) {
      throw rename(err, path, source);
    }
    try {
      for (let i = 0; i < s.length; i++) s.read(i);
      for (const name of s.splitNames()) s.select(name);
    } catch (err) {
      throw rename(err, path, source);
    } finally {
      s.close();
    }
  },
};

/** Errors name the scratch file the input was written to; the harness expects the input's name. */
function rename(err: unknown, path: string, source: string): unknown {
  if (err instanceof Error && err.message.includes(path)) err.message = err.message.split(path).join(source);
  return err;
}

/**
 * A vocabulary in the real format (version line, then at least 48,894 merge lines) made of a few
 * hundred distinct merges repeated: it parses in a fraction of the real one's time, so most mutants
 * are cheap, while the real file stays a seed.
 */
function smallVocabulary(): string {
  const distinct = Array.from({ length: 300 }, (_, i) => `${String.fromCharCode(97 + (i % 26))} ${String.fromCharCode(97 + Math.floor(i / 26))}${i % 7 === 0 ? '</w>' : ''}`);
  return ['#version: 0.2', ...Array.from({ length: 48894 }, (_, i) => distinct[i % distinct.length]), ''].join('\n');
}

export const clipVocabulary: FuzzTarget = {
  name: 'CLIP vocabulary',
  text: false,
  slow: true,
  seeds() {
    const small = smallVocabulary();
    const generated = [{ name: 'small.txt.gz', bytes: gzipSync(small) }, { name: 'small.txt', bytes: Buffer.from(small) }];
    const path = [FIXTURES && join(FIXTURES, 'clip', 'bpe_simple_vocab_16e6.txt.gz'), ORIGINAL && join(ORIGINAL, 'bpe_simple_vocab_16e6.txt.gz')].find((p) => p && existsSync(p));
    if (!path) return generated;
    return [{ name: 'bpe_simple_vocab_16e6.txt.gz', bytes: readFileSync(path) }, ...generated];
  },
  parse: (bytes, source) => void ClipTokenizer.fromBytes(bytes, source),
};

export const conversation: FuzzTarget = {
  name: 'conversation files',
  text: true,
  seeds() {
    const dir = ORIGINAL && join(ORIGINAL, 'text', 'gpt4o', 'nturgbd_60');
    const files = dir && existsSync(dir) ? readdirSync(dir).sort().slice(0, 4).map((n) => ({ name: `original/text/gpt4o/nturgbd_60/${n}`, bytes: readFileSync(join(dir, n)) })) : [];
    const generated = formatConversation([{ number: 1, question: 'Describe the action.', answer: 'The arms rise.' }, { number: 2, question: 'Which joints?', answer: 'Wrists and elbows.' }]);
    return [...files, { name: 'generated.txt', bytes: Buffer.from(generated) }];
  },
  parse(bytes, source) {
    const text = Buffer.from(bytes).toString('utf8');
    parseConversation(text, source);
    extractDescription(text);
    followUpHistory(text);
  },
};

const posePerson = (joints: number, extra: number[]): number[][] => Array.from({ length: joints }, (_, j) => [j, 100 + j, ...extra]);

/** Pose files / request bodies (src/live): JSON, then validation, then mapping onto a model's joints. */
export const poses: FuzzTarget = {
  name: 'pose files',
  text: true,
  seeds: () => [
    { name: 'openpose18.json', bytes: Buffer.from(JSON.stringify([[posePerson(18, [0.5])], [posePerson(18, [0.6]), posePerson(18, [0.4])]])) },
    { name: 'blazepose33.json', bytes: Buffer.from(JSON.stringify({ frames: [[posePerson(33, [7, 0.9])]] })) },
    { name: 'ntu25.json', bytes: Buffer.from(JSON.stringify({ format: 'ntu25', frames: [{ t: 0, people: [posePerson(25, [1])] }, { t: 33, people: [posePerson(25, [1])] }] })) },
  ],
  parse(bytes, source) {
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (err) {
      throw new Error(`${source}: not JSON (${(err as Error).message})`); // what a request reader answers; not the pose parser's concern
    }
    const seq = parsePoseJson(doc, {}, source);
    for (const target of POSE_TARGETS) {
      try {
        mapSequence(seq, target);
      } catch (err) {
        if (!(err instanceof PoseInputError)) throw err; // e.g. a layout that cannot be derived: refused by name
      }
    }
  },
};

const POSE_TARGETS: readonly PoseTarget[] = [
  { layout: 'coco', joints: 17, channels: 3, scoreChannel: true, persons: 2 },
  { layout: 'nturgb+d', joints: 25, channels: 3, scoreChannel: false, persons: 2 },
];

export const TARGETS: readonly FuzzTarget[] = [pickle, npy, pth, ntuSkeleton, uavTxt, config, store, clipVocabulary, conversation, poses, ...SERVER_TARGETS];
