/**
 * The dataset store: one file holding every annotation of a PYSKL pickle, laid out so that a
 * training run can open it without parsing the arrays and fetch one sample with one positioned
 * read.
 *
 * Layout (all integers little-endian):
 *
 *   offset 0   8 bytes  magic "SKSTORE\x01"
 *          8   u32      format version (1)
 *         12   u32      header size (64)
 *         16   u64      index offset
 *         24   u64      index length in bytes
 *         32   32 bytes reserved (zero)
 *         64   data: per sample, its arrays back to back, each starting on an 8-byte boundary
 *              (so typed-array views need no copy)
 *   index offset: UTF-8 JSON (StoreIndex below), the last bytes of the file.
 *
 * Splits are stored resolved (sample indices in file order), so a split loads exactly as
 * PoseDataset selects it from the pickle. Written atomically (temporary file + rename).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { type DType, type NdArray, bytesOf, isDType, numel, itemSize, viewBytes } from '../io/ndarray.js';
import type { Annotation, AnnotationFile } from './annotation.js';
import { identifierField } from './annotation.js';
import { DataError } from './errors.js';
import { type Json, decodeField, encodeField } from './field-codec.js';
import { isNdArray } from '../io/ndarray.js';
import { type SplitSelection, selectSplit, unknownSplit } from './split.js';
import { isPlainObject, show } from '../schema.js';

const MAGIC = Buffer.from('SKSTORE\x01', 'latin1');
const VERSION = 1;
const HEADER_SIZE = 64;
const ALIGN = 8;

export interface StoredArray {
  readonly field: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Byte offset inside the sample's block. */
  readonly offset: number;
}

export interface StoredSample {
  readonly frame_dir: string;
  readonly label: number;
  readonly total_frames: number;
  /** Byte range of the sample's block in the file. */
  readonly offset: number;
  readonly length: number;
  readonly arrays: readonly StoredArray[];
  /** The other fields (img_shape, raw_file, valid, ...), encoded by field-codec. */
  readonly fields: { readonly [k: string]: Json };
}

export interface StoreIndex {
  readonly format: 'skagent-pose-store';
  readonly version: number;
  /** Base name of the pickle it was converted from. */
  readonly source: string;
  readonly identifier: 'filename' | 'frame_dir';
  /** Split name → indices into `samples`, in file order. */
  readonly splits: { readonly [name: string]: readonly number[] };
  /** Split name → listed ids without an annotation (kept for `data inspect`). */
  readonly unmatched: { readonly [name: string]: readonly string[] };
  /** `None` entries of the source's annotation list, which are not stored. */
  readonly none_entries: number;
  readonly samples: readonly StoredSample[];
}

export interface WriteStoreOptions {
  /** Recorded in the index. */
  readonly source?: string;
  /** Called for each annotation before it is written (e.g. merge K400 kpfiles, validate). */
  readonly prepare?: (ann: Annotation, index: number) => Annotation;
}

export interface WriteStoreResult {
  readonly samples: number;
  readonly bytes: number;
}

/** Writes every non-None annotation of `file` and its splits to `path`. */
export function writeStore(path: string, file: AnnotationFile, opts: WriteStoreOptions = {}): WriteStoreResult {
  const chunks: Uint8Array[] = [Buffer.alloc(HEADER_SIZE)];
  let pos = HEADER_SIZE;
  const samples: StoredSample[] = [];
  const storedIndex = new Map<number, number>();
  file.annotations.forEach((raw, i) => {
    if (raw === null) return;
    const ann = opts.prepare ? opts.prepare(raw, i) : raw;
    const start = pos;
    const arrays: StoredArray[] = [];
    const fields: { [k: string]: Json } = {};
    for (const [field, value] of Object.entries(ann)) {
      if (field === 'frame_dir' || field === 'label' || field === 'total_frames' || value === undefined) continue;
      if (isNdArray(value)) {
        const pad = (ALIGN - ((pos - start) % ALIGN)) % ALIGN;
        if (pad) chunks.push(new Uint8Array(pad));
        pos += pad;
        arrays.push({ field, dtype: value.dtype, shape: [...value.shape], offset: pos - start });
        const bytes = bytesOf(value);
        chunks.push(bytes);
        pos += bytes.byteLength;
      } else {
        fields[field] = encodeField(value, `sample ${i} ('${ann.frame_dir}') field '${field}'`);
      }
    }
    const tail = (ALIGN - ((pos - start) % ALIGN)) % ALIGN;
    if (tail) chunks.push(new Uint8Array(tail));
    pos += tail;
    storedIndex.set(i, samples.length);
    samples.push({ frame_dir: ann.frame_dir, label: ann.label, total_frames: ann.total_frames, offset: start, length: pos - start, arrays, fields });
  });
  const splits: { [name: string]: number[] } = {};
  const unmatched: { [name: string]: string[] } = {};
  for (const name of file.split.keys()) {
    const sel = selectSplit(file, name, opts.source ?? path);
    splits[name] = sel.indices.map((i) => storedIndex.get(i) as number);
    if (sel.unmatchedIds.length > 0) unmatched[name] = sel.unmatchedIds;
  }
  const index: StoreIndex = {
    format: 'skagent-pose-store',
    version: VERSION,
    source: opts.source ? basename(opts.source) : '',
    identifier: identifierField(file.annotations),
    splits,
    unmatched,
    none_entries: file.annotations.filter((a) => a === null).length,
    samples,
  };
  const json = Buffer.from(JSON.stringify(index), 'utf8');
  const header = chunks[0] as Buffer;
  MAGIC.copy(header, 0);
  header.writeUInt32LE(VERSION, 8);
  header.writeUInt32LE(HEADER_SIZE, 12);
  header.writeBigUInt64LE(BigInt(pos), 16);
  header.writeBigUInt64LE(BigInt(json.byteLength), 24);
  chunks.push(json);
  writeFileAtomic(path, chunks);
  return { samples: samples.length, bytes: pos + json.byteLength };
}

/** True when the file starts with the store's magic bytes. */
export function isStoreFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(MAGIC);
  } finally {
    closeSync(fd);
  }
}

/** An open store: the index in memory, arrays read on demand. */
export class PoseStore {
  private fd: number | null;

  private constructor(readonly path: string, fd: number, readonly index: StoreIndex, private readonly fileSize: number) {
    this.fd = fd;
  }

  static open(path: string): PoseStore {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const header = Buffer.alloc(HEADER_SIZE);
      if (readSync(fd, header, 0, HEADER_SIZE, 0) < HEADER_SIZE || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
        throw new DataError({ file: path }, 'not a skagent dataset store (bad magic bytes)');
      }
      const version = header.readUInt32LE(8);
      if (version !== VERSION) throw new DataError({ file: path }, `store format version ${version} is not supported (expected ${VERSION})`);
      const indexOffset = Number(header.readBigUInt64LE(16));
      const indexLength = Number(header.readBigUInt64LE(24));
      if (indexOffset + indexLength !== size) {
        throw new DataError({ file: path }, `truncated or corrupt: index should end at byte ${indexOffset + indexLength}, file has ${size} bytes`);
      }
      const json = Buffer.alloc(indexLength);
      readSync(fd, json, 0, indexLength, indexOffset);
      let index: unknown;
      try {
        index = JSON.parse(json.toString('utf8'));
      } catch (err) {
        throw new DataError({ file: path }, `corrupt index: ${(err as Error).message}`);
      }
      return new PoseStore(path, fd, checkIndex(index, path), size);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  get length(): number {
    return this.index.samples.length;
  }

  splitNames(): string[] {
    return Object.keys(this.index.splits);
  }

  select(split: string | undefined): SplitSelection {
    if (split === undefined) return { indices: this.index.samples.map((_, i) => i), unmatchedIds: [] };
    const indices = this.index.splits[split];
    if (indices === undefined) throw unknownSplit(split, this.splitNames(), this.path);
    return { indices: [...indices], unmatchedIds: [...(this.index.unmatched[split] ?? [])] };
  }

  /** Reads sample `i` with one positioned read; arrays are views into a fresh buffer. */
  read(i: number): Annotation {
    if (this.fd === null) throw new Error(`${this.path}: store is closed`);
    const s = this.index.samples[i];
    if (s === undefined) throw new RangeError(`${this.path}: sample ${i} out of range (0..${this.length - 1})`);
    if (typeof s.frame_dir !== 'string' || !Number.isSafeInteger(s.label) || !Number.isSafeInteger(s.total_frames)) {
      throw new DataError({ file: this.path, sample: i }, `corrupt index: frame_dir ${show(s.frame_dir)}, label ${show(s.label)}, total_frames ${show(s.total_frames)} (expected a string and two integers)`);
    }
    const where = { file: this.path, sample: i, frameDir: s.frame_dir };
    // The index is outside input: its sizes are checked against the file before anything is allocated.
    if (!Number.isSafeInteger(s.offset) || !Number.isSafeInteger(s.length) || s.offset < 0 || s.length < 0) throw new DataError(where, `corrupt index: sample block offset ${String(s.offset)}, length ${String(s.length)}`);
    if (s.offset + s.length > this.fileSize) throw new DataError(where, `truncated: needs bytes ${s.offset}..${s.offset + s.length}, file has ${this.fileSize}`);
    if (!Array.isArray(s.arrays) || typeof s.fields !== 'object' || s.fields === null) throw new DataError(where, 'corrupt index: sample without arrays/fields');
    const block = new Uint8Array(s.length);
    const got = s.length === 0 ? 0 : readSync(this.fd, block, 0, s.length, s.offset);
    if (got !== s.length) {
      throw new DataError({ file: this.path, sample: i, frameDir: s.frame_dir }, `truncated: needs bytes ${s.offset}..${s.offset + s.length}, file has ${this.fileSize}`);
    }
    const ann: Annotation = { frame_dir: s.frame_dir, label: s.label, total_frames: s.total_frames };
    try {
      for (const [k, v] of Object.entries(s.fields)) ann[k] = decodeField(v);
    } catch (err) {
      throw new DataError(where, `corrupt index: a field does not decode (${(err as Error).message})`);
    }
    for (const a of s.arrays) ann[a.field] = arrayAt(block, a, this.path, i);
    return ann;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * The index's top level, checked when the store is opened: a sample list, and split lists whose
 * entries are indices into it (each sample's own entry is checked when it is read).
 */
function checkIndex(index: unknown, path: string): StoreIndex {
  const corrupt = (what: string) => new DataError({ file: path }, `corrupt index: ${what}`);
  if (!isPlainObject(index)) throw corrupt(`expected a JSON object, found ${show(index)}`);
  if (index.format !== 'skagent-pose-store') throw new DataError({ file: path }, `index format ${show(index.format)} is not a pose store`);
  const samples = index.samples;
  if (!Array.isArray(samples)) throw corrupt(`samples: expected a list, found ${show(samples)}`);
  const at = samples.findIndex((x) => !isPlainObject(x));
  if (at >= 0) throw corrupt(`samples[${at}]: expected an object, found ${show(samples[at])}`);
  const lists: [key: 'splits' | 'unmatched', expected: string, ok: (v: unknown) => boolean][] = [
    ['splits', `sample indices 0..${samples.length - 1}`, (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < samples.length],
    ['unmatched', 'strings', (v) => typeof v === 'string'],
  ];
  for (const [key, expected, ok] of lists) {
    const byName = index[key];
    if (!isPlainObject(byName)) throw corrupt(`${key}: expected an object, found ${show(byName)}`);
    for (const [name, list] of Object.entries(byName)) {
      if (!Array.isArray(list)) throw corrupt(`${key}['${name}']: expected a list, found ${show(list)}`);
      const bad = list.findIndex((v) => !ok(v));
      if (bad >= 0) throw corrupt(`${key}['${name}'][${bad}]: expected ${expected}, found ${show(list[bad])}`);
    }
  }
  return index as unknown as StoreIndex;
}

function arrayAt(block: Uint8Array, a: StoredArray, path: string, sample: number): NdArray {
  if (!isDType(a.dtype)) throw new DataError({ file: path, sample, field: a.field }, `unknown dtype '${a.dtype}' in index`);
  if (!Array.isArray(a.shape) || !a.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || !Number.isSafeInteger(a.offset) || a.offset < 0) {
    throw new DataError({ file: path, sample, field: a.field }, `corrupt index: shape ${JSON.stringify(a.shape)} at offset ${String(a.offset)}`);
  }
  const count = numel(a.shape);
  const bytes = count * itemSize(a.dtype);
  if (a.offset + bytes > block.byteLength) throw new DataError({ file: path, sample, field: a.field }, 'index points past the sample block');
  return { dtype: a.dtype, shape: [...a.shape], data: viewBytes(a.dtype, block.subarray(a.offset, a.offset + bytes), count) };
}
