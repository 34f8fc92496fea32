/**
 * A run's annotation files, each opened (parsed and validated) once and shared by the loaders
 * that read it (a run's training and validation sets usually come from one file). Loader worker
 * threads read a dataset store instead of parsing the file again: the file itself when it is a
 * store, else the pickle written once as a temporary store (index in memory, one positioned read
 * per sample, pages shared through the OS cache), removed when the run closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type AnnotationSource, PickleSource, openAnnotations } from '../data/source.js';
import { writeStore } from '../data/store.js';

interface Opened {
  source: AnnotationSource;
  /** The store workers read (null until one is asked for). */
  store: string | null;
}

export class RunAnnotations {
  private readonly files = new Map<string, Opened>();
  private tempDir: string | null = null;

  /** The file, opened on first use. */
  source(path: string): AnnotationSource {
    return this.entry(path).source;
  }

  /** A dataset store with the file's samples, for worker threads. */
  storeFor(path: string): string {
    const entry = this.entry(path);
    if (entry.store) return entry.store;
    if (entry.source instanceof PickleSource) {
      this.tempDir ??= mkdtempSync(join(tmpdir(), 'skagent-run-'));
      const out = join(this.tempDir, `annotations_${this.files.size}_${process.pid}.skstore`);
      writeStore(out, entry.source.file, { source: path });
      entry.store = out;
    } else {
      entry.store = entry.source.path;
    }
    return entry.store;
  }

  close(): void {
    for (const { source } of this.files.values()) source.close();
    this.files.clear();
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
    this.tempDir = null;
  }

  private entry(path: string): Opened {
    const key = resolve(path);
    let entry = this.files.get(key);
    if (!entry) {
      entry = { source: openAnnotations(path), store: null };
      this.files.set(key, entry);
    }
    return entry;
  }
}
