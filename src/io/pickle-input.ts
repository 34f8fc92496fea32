/**
 * Sequential byte input for the unpickler: a fixed window over a file (read with fs.readSync, so a
 * multi-GB pickle never sits in memory as a whole) or over an in-memory buffer. Offsets are plain
 * numbers (exact up to 2^53), so files beyond 4 GB work.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Thrown when the input ends before a read completes; the unpickler adds file/opcode context. */
export class EndOfInputError extends Error {}

export interface ByteInput {
  /** Absolute offset of the next unread byte. */
  readonly offset: number;
  /** Bytes left after `offset`. */
  readonly remaining: number;
  byte(): number;
  /** The next n bytes as a view that is valid only until the next read. n must be ≤ `maxView`. */
  view(n: number): Uint8Array;
  readonly maxView: number;
  /** Copies the next `dst.length` bytes into dst (any size; large reads bypass the window). */
  readInto(dst: Uint8Array): void;
  /** The bytes up to (excluding) the next '\n', consumed with the newline; text opcodes only. */
  line(maxLength: number): Uint8Array;
  close(): void;
}

/** Allocates an uninitialised, 8-byte aligned buffer that owns its memory (typed arrays can view it). */
export function allocBytes(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

function endOfInput(need: number, offset: number, have: number): EndOfInputError {
  return new EndOfInputError(`unexpected end of data: needed ${need} bytes at offset ${offset}, only ${have} left`);
}

export class MemoryInput implements ByteInput {
  private pos = 0;
  readonly maxView: number;
  constructor(private readonly bytes: Uint8Array) {
    this.maxView = bytes.length;
  }
  get offset(): number { return this.pos; }
  get remaining(): number { return this.bytes.length - this.pos; }
  byte(): number {
    if (this.pos >= this.bytes.length) throw endOfInput(1, this.pos, 0);
    return this.bytes[this.pos++];
  }
  view(n: number): Uint8Array {
    if (n > this.bytes.length - this.pos) throw endOfInput(n, this.pos, this.bytes.length - this.pos);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  readInto(dst: Uint8Array): void {
    dst.set(this.view(dst.length));
  }
  line(maxLength: number): Uint8Array {
    const limit = Math.min(this.bytes.length, this.pos + maxLength + 1);
    const nl = this.bytes.subarray(this.pos, limit).indexOf(0x0a);
    if (nl < 0) throw endOfInput(limit - this.pos + 1, this.pos, this.bytes.length - this.pos);
    const v = this.bytes.subarray(this.pos, this.pos + nl);
    this.pos += nl + 1;
    return v;
  }
  close(): void { /* nothing held */ }
}

/** Default window: large enough that per-call overhead vanishes, small next to decoded data. */
export const DEFAULT_WINDOW_BYTES = 32 * 1024 * 1024;

export class FileInput implements ByteInput {
  private readonly fd: number;
  private readonly size: number;
  private readonly buf: Uint8Array;
  /** Absolute file offset of buf[0]. */
  private bufStart = 0;
  private bufEnd = 0;
  private pos = 0;
  readonly maxView: number;

  constructor(path: string, windowBytes = DEFAULT_WINDOW_BYTES) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
    this.buf = allocBytes(Math.max(64, Math.min(windowBytes, this.size)));
    this.maxView = this.buf.length;
  }

  get offset(): number { return this.bufStart + this.pos; }
  get remaining(): number { return this.size - this.offset; }

  /** Makes n bytes available at buf[pos..]: moves the unread tail to the front and refills. */
  private fill(n: number): void {
    if (n > this.remaining) throw endOfInput(n, this.offset, this.remaining);
    const tail = this.bufEnd - this.pos;
    this.buf.copyWithin(0, this.pos, this.bufEnd);
    this.bufStart += this.pos;
    this.pos = 0;
    this.bufEnd = tail;
    while (this.bufEnd < n) {
      const want = Math.min(this.buf.length - this.bufEnd, this.size - (this.bufStart + this.bufEnd));
      const got = readSync(this.fd, this.buf, this.bufEnd, want, this.bufStart + this.bufEnd);
      if (got <= 0) throw endOfInput(n, this.offset, this.bufEnd);
      this.bufEnd += got;
    }
  }

  byte(): number {
    if (this.pos >= this.bufEnd) this.fill(1);
    return this.buf[this.pos++];
  }

  view(n: number): Uint8Array {
    if (n > this.maxView) throw new RangeError(`internal: view of ${n} bytes exceeds the ${this.maxView}-byte window`);
    if (this.pos + n > this.bufEnd) this.fill(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  readInto(dst: Uint8Array): void {
    const n = dst.length;
    if (n > this.remaining) throw endOfInput(n, this.offset, this.remaining);
    const buffered = Math.min(n, this.bufEnd - this.pos);
    dst.set(this.buf.subarray(this.pos, this.pos + buffered));
    this.pos += buffered;
    let done = buffered;
    if (done === n) return;
    if (n - done < this.buf.length / 2) {
      dst.set(this.view(n - done), done);
      return;
    }
    // Large payload: read straight from the file into its destination, then restart the window.
    const fileOffset = this.bufStart + this.pos;
    while (done < n) {
      const got = readSync(this.fd, dst, done, n - done, fileOffset + (done - buffered));
      if (got <= 0) throw endOfInput(n - done, fileOffset + (done - buffered), 0);
      done += got;
    }
    this.bufStart = fileOffset + (n - buffered);
    this.pos = 0;
    this.bufEnd = 0;
  }

  line(maxLength: number): Uint8Array {
    const limit = Math.min(maxLength, this.maxView - 1);
    for (let scanned = 0; ; ) {
      const avail = this.buf.subarray(this.pos + scanned, this.bufEnd);
      const nl = avail.indexOf(0x0a);
      if (nl >= 0) {
        const v = this.buf.subarray(this.pos, this.pos + scanned + nl);
        this.pos += scanned + nl + 1;
        return v;
      }
      scanned += avail.length;
      if (scanned > limit || scanned >= this.remaining) {
        throw endOfInput(scanned + 1, this.offset, this.remaining);
      }
      this.fill(Math.min(scanned + 1, this.remaining));
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
