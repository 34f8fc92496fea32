/**
 * Sequential byte input for the unpickler: a small window over a file (read with fs.readSync, so a
 * multi-GB pickle never sits in memory as a whole) or over an in-memory buffer. Offsets are plain
 * numbers (exact up to 2^53), so files beyond 4 GB work.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Thrown when the input ends before a read completes; the unpickler adds file/opcode context. */
export class EndOfInputError extends Error {}

function endOfInput(need: number, offset: number, have: number): EndOfInputError {
  return new EndOfInputError(`unexpected end of data: needed ${need} bytes at offset ${offset}, only ${have} left`);
}

/**
 * Reads from `buf[pos..end)`, which holds the input bytes starting at absolute offset `bufStart`;
 * subclasses say how to bring in more (`fill`). Fixed-width reads index the window directly:
 * allocating a view per integer made the decoder allocation-bound.
 */
export abstract class ByteInput {
  protected buf: Uint8Array;
  protected dv: DataView;
  protected bufStart = 0;
  protected pos = 0;
  protected end: number;

  protected constructor(buf: Uint8Array, end: number, protected readonly size: number) {
    this.buf = buf;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.end = end;
  }

  /** Makes n (≤ maxView) bytes available at buf[pos..], or throws EndOfInputError. */
  protected abstract fill(n: number): void;
  /** Copies the next `dst.length` bytes into dst (any size). */
  abstract readInto(dst: Uint8Array): void;
  abstract close(): void;

  /** Absolute offset of the next unread byte. */
  get offset(): number { return this.bufStart + this.pos; }
  /** Bytes left after `offset`. */
  get remaining(): number { return this.size - this.offset; }
  /** The largest `view` this input can give. */
  abstract get maxView(): number;

  /** Consumes n bytes and returns their index in `buf`. */
  private take(n: number): number {
    if (this.pos + n > this.end) this.fill(n);
    const p = this.pos;
    this.pos += n;
    return p;
  }

  byte(): number { return this.buf[this.take(1)]; }
  u16le(): number { return this.dv.getUint16(this.take(2), true); }
  u32le(): number { return this.dv.getUint32(this.take(4), true); }
  i32le(): number { return this.dv.getInt32(this.take(4), true); }
  f64be(): number { return this.dv.getFloat64(this.take(8), false); }

  /** Up to n upcoming bytes (fewer at the end of the input), without consuming them. */
  peek(n: number): Uint8Array {
    const avail = Math.min(n, this.remaining);
    if (this.pos + avail > this.end) this.fill(avail);
    return this.buf.subarray(this.pos, this.pos + avail);
  }

  skip(n: number): void {
    this.take(n);
  }

  /** The next n bytes as a view that is valid only until the next read. n must be ≤ `maxView`. */
  view(n: number): Uint8Array {
    if (n > this.maxView) throw new RangeError(`internal: view of ${n} bytes exceeds the ${this.maxView}-byte window`);
    const p = this.take(n);
    return this.buf.subarray(p, p + n);
  }

  /** The bytes up to (excluding) the next '\n', consumed with the newline; text opcodes only. */
  line(maxLength: number): Uint8Array {
    const limit = Math.min(maxLength, this.maxView - 1);
    for (let scanned = 0; ; ) {
      const nl = this.buf.subarray(this.pos + scanned, this.end).indexOf(0x0a);
      if (nl >= 0) {
        const v = this.buf.subarray(this.pos, this.pos + scanned + nl);
        this.pos += scanned + nl + 1;
        return v;
      }
      scanned = this.end - this.pos;
      if (scanned > limit || scanned >= this.remaining) throw endOfInput(scanned + 1, this.offset, this.remaining);
      this.fill(scanned + 1);
    }
  }
}

export class MemoryInput extends ByteInput {
  constructor(bytes: Uint8Array) {
    super(bytes, bytes.length, bytes.length);
  }

  get maxView(): number { return this.buf.length; }

  protected fill(n: number): void {
    throw endOfInput(n, this.offset, this.remaining);
  }

  readInto(dst: Uint8Array): void {
    dst.set(this.view(dst.length));
  }

  close(): void { /* nothing held */ }
}

/** Default window limit: the largest payload decoded in place (str), small next to decoded data. */
export const DEFAULT_WINDOW_BYTES = 32 * 1024 * 1024;
/** The window starts this small and grows only when a str payload needs it. */
const INITIAL_WINDOW = 64 * 1024;

/**
 * How far a refill reads ahead: one protocol-4 frame (pickle writes frames of at most 64 KiB).
 * Payloads that fit are copied out of the window; larger ones are read straight into their array.
 * Measured on a 1 GiB protocol-4 annotation file (docs/robustness.md): reading every payload of
 * 4 KiB or more straight from the file spent 2x the kernel time, because the fresh array pages were
 * first touched by the kernel's copy inside read(2), which cost more than touching them by a copy
 * from the window (total CPU 6.9 s vs 5.5 s, wall 10.4 s vs 8.1 s, mean of three runs).
 */
const READ_AHEAD = 64 * 1024;
const DIRECT_READ_MIN = READ_AHEAD;

export class FileInput extends ByteInput {
  private readonly fd: number;
  private readonly windowLimit: number;

  constructor(path: string, windowBytes = DEFAULT_WINDOW_BYTES) {
    const fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const limit = Math.max(64, Math.min(windowBytes, size));
    super(new Uint8Array(Math.min(limit, INITIAL_WINDOW)), 0, size);
    this.fd = fd;
    this.windowLimit = limit;
  }

  get maxView(): number { return this.windowLimit; }

  protected fill(n: number): void {
    if (n > this.remaining) throw endOfInput(n, this.offset, this.remaining);
    const tail = this.end - this.pos;
    if (n > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.windowLimit, Math.max(n, 2 * this.buf.length)));
      grown.set(this.buf.subarray(this.pos, this.end));
      this.buf = grown;
      this.dv = new DataView(grown.buffer);
    } else {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.bufStart += this.pos;
    this.pos = 0;
    this.end = tail;
    const goal = Math.min(this.buf.length, Math.max(n, READ_AHEAD), this.size - this.bufStart);
    while (this.end < goal) {
      const got = readSync(this.fd, this.buf, this.end, goal - this.end, this.bufStart + this.end);
      if (got <= 0) throw endOfInput(n, this.offset, this.end);
      this.end += got;
    }
  }

  readInto(dst: Uint8Array): void {
    const n = dst.length;
    if (n > this.remaining) throw endOfInput(n, this.offset, this.remaining);
    const buffered = Math.min(n, this.end - this.pos);
    dst.set(this.buf.subarray(this.pos, this.pos + buffered));
    this.pos += buffered;
    if (buffered === n) return;
    if (n - buffered < DIRECT_READ_MIN && n - buffered <= this.buf.length) {
      dst.set(this.view(n - buffered), buffered);
      return;
    }
    // Read the rest straight from the file into its destination, then restart the window after it.
    const fileOffset = this.offset;
    for (let done = buffered; done < n; ) {
      const got = readSync(this.fd, dst, done, n - done, fileOffset + (done - buffered));
      if (got <= 0) throw endOfInput(n - done, fileOffset + (done - buffered), 0);
      done += got;
    }
    this.bufStart = fileOffset + (n - buffered);
    this.pos = 0;
    this.end = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Arena chunks never exceed this (typed-array and Buffer limits; keeps single reservations sane). */
const MAX_ARENA_CHUNK = 1 << 30;

/**
 * Hands out 8-byte aligned payload buffers carved from a few large ArrayBuffers, each sized to the
 * input still unread (payloads cannot need more; untouched pages cost no memory). With one
 * ArrayBuffer per array, loading a multi-GB pickle was GC-bound: V8 sweeps every ArrayBuffer at
 * each of the dozens of GCs that external-memory growth triggers. Trade-off: a payload keeps its
 * whole chunk alive.
 */
export class PayloadArena {
  private chunk = new ArrayBuffer(0);
  private used = 0;
  private lastStart = 0;

  alloc(n: number, remainingInput: number): Uint8Array {
    let start = Math.ceil(this.used / 8) * 8;
    if (start + n > this.chunk.byteLength) {
      this.chunk = new ArrayBuffer(Math.max(n, Math.min(MAX_ARENA_CHUNK, remainingInput)));
      start = 0;
    }
    this.used = start + n;
    this.lastStart = start;
    return new Uint8Array(this.chunk, start, n);
  }

  /** Shrinks the most recent allocation to its first n bytes, returning the rest to the arena. */
  trimLast(n: number): Uint8Array {
    this.used = this.lastStart + n;
    return new Uint8Array(this.chunk, this.lastStart, n);
  }
}
