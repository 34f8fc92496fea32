/**
 * Minimal ZIP archives, enough for PyTorch checkpoints: reading stored and deflated entries through
 * the central directory (ZIP64 included), random access by entry name without loading the archive;
 * writing stored entries whose data start on 64-byte boundaries (what torch.save does, so the data
 * can be memory-mapped), with ZIP64 records when sizes or offsets need them.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { writeFileAtomic } from './atomic.js';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const ZIP64_EOCD_SIZE = 56;
const ZIP64_LOCATOR_SIZE = 20;
const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const MAX_COMMENT = 0xffff;
const EXTRA_ZIP64 = 0x0001;
/** The extra-field id PyTorch uses for alignment padding ('FB'). */
const EXTRA_PADDING = 0x4246;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
/** Deflate's largest expansion (a 258-byte match per ~2 bits, rounded up). */
const MAX_DEFLATE_RATIO = 1032;

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
  readonly flags: number;
}

/** Random access to the archive's bytes. */
interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `position`, in a fresh buffer the caller owns. */
  read(position: number, length: number): Uint8Array;
  close(): void;
}

/** A fresh, 8-byte aligned buffer (typed arrays of any element size can view it). */
function ownedBytes(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

function fileSource(path: string): ByteSource {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    size,
    read(position, length) {
      const out = ownedBytes(length);
      for (let done = 0; done < length; ) {
        const got = readSync(fd, out, done, length - done, position + done);
        if (got <= 0) throw new Error(`unexpected end of file reading ${length} bytes at offset ${position}`);
        done += got;
      }
      return out;
    },
    close: () => closeSync(fd),
  };
}

function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(position, length) {
      if (position + length > bytes.length) throw new Error(`unexpected end of data reading ${length} bytes at offset ${position}`);
      return bytes.slice(position, position + length);
    },
    close: () => undefined,
  };
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(dv: DataView, offset: number, what: string): number {
  const v = dv.getBigUint64(offset, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${what} ${v} is beyond 2^53`);
  return Number(v);
}

interface Directory {
  readonly count: number;
  readonly offset: number;
  readonly size: number;
}

/** An entry name flagged UTF-8 (general purpose bit 11); invalid bytes are the archive's fault. */
function utf8Name(decoder: TextDecoder, bytes: Uint8Array, where: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new Error(`${where}: the file name is flagged UTF-8 but is not valid UTF-8`);
  }
}

export class ZipReader {
  readonly entries: ReadonlyMap<string, ZipEntry>;

  private constructor(private readonly src: ByteSource, readonly source: string) {
    try {
      this.entries = this.readCentralDirectory(this.findDirectory());
    } catch (err) {
      src.close();
      throw err;
    }
  }

  static open(path: string): ZipReader {
    return new ZipReader(fileSource(path), path);
  }

  static fromBytes(bytes: Uint8Array, source = '<zip bytes>'): ZipReader {
    return new ZipReader(memorySource(bytes), source);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The entry's uncompressed bytes (fresh, aligned buffer), checked against its CRC-32. */
  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new Error(`${this.source}: no entry '${name}' in the archive`);
    const where = `${this.source}: entry '${name}'`;
    if (entry.flags & FLAG_ENCRYPTED) throw new Error(`${where} is encrypted`);
    const dataOffset = this.dataOffset(entry);
    if (dataOffset + entry.compressedSize > this.src.size) throw new Error(`${where}: data runs past the end of the archive`);
    let data: Uint8Array;
    if (entry.method === METHOD_STORED) {
      if (entry.compressedSize !== entry.size) throw new Error(`${where}: stored entry with different compressed (${entry.compressedSize}) and real (${entry.size}) sizes`);
      data = this.src.read(dataOffset, entry.size);
    } else if (entry.method === METHOD_DEFLATE) {
      // Deflate expands at most 1032:1, so a larger claimed size is corrupt; and inflating stops at the
      // claimed size, so a small entry cannot inflate into gigabytes first.
      if (entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 64) throw new Error(`${where}: claims ${entry.size} bytes from ${entry.compressedSize} deflated bytes, more than deflate can expand to: corrupt archive`);
      let inflated: Buffer;
      try {
        inflated = inflateRawSync(this.src.read(dataOffset, entry.compressedSize), { maxOutputLength: Math.max(1, entry.size) });
      } catch (err) {
        throw new Error(`${where}: corrupt deflate data or larger than the ${entry.size} bytes the directory says (${(err as Error).message})`);
      }
      if (inflated.length !== entry.size) throw new Error(`${where}: inflated to ${inflated.length} bytes, directory says ${entry.size}`);
      data = ownedBytes(inflated.length);
      data.set(inflated);
    } else {
      throw new Error(`${where}: unsupported compression method ${entry.method} (only stored and deflate)`);
    }
    const crc = crc32(data) >>> 0;
    if (crc !== entry.crc32) throw new Error(`${where}: CRC-32 mismatch (data ${crc.toString(16)}, directory ${entry.crc32.toString(16)}): corrupt archive`);
    return data;
  }

  close(): void {
    this.src.close();
  }

  private dataOffset(entry: ZipEntry): number {
    const where = `${this.source}: entry '${entry.name}'`;
    if (entry.localHeaderOffset + LOCAL_HEADER_SIZE > this.src.size) throw new Error(`${where}: local header is past the end of the archive`);
    const dv = view(this.src.read(entry.localHeaderOffset, LOCAL_HEADER_SIZE));
    if (dv.getUint32(0, true) !== SIG_LOCAL) throw new Error(`${where}: bad local header signature`);
    return entry.localHeaderOffset + LOCAL_HEADER_SIZE + dv.getUint16(26, true) + dv.getUint16(28, true);
  }

  private findDirectory(): Directory {
    const size = this.src.size;
    if (size < EOCD_SIZE) throw new Error(`${this.source}: not a zip archive (only ${size} bytes)`);
    const tailStart = Math.max(0, size - EOCD_SIZE - MAX_COMMENT);
    const tail = this.src.read(tailStart, size - tailStart);
    const dv = view(tail);
    let eocd = -1;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
      if (dv.getUint32(i, true) === SIG_EOCD && i + EOCD_SIZE + dv.getUint16(i + 20, true) <= tail.length) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${this.source}: not a zip archive (no end-of-central-directory record)`);
    if (dv.getUint16(eocd + 4, true) !== 0 || dv.getUint16(eocd + 6, true) !== 0) throw new Error(`${this.source}: multi-disk archives are not supported`);
    let dir: Directory = { count: dv.getUint16(eocd + 10, true), size: dv.getUint32(eocd + 12, true), offset: dv.getUint32(eocd + 16, true) };
    const locator = eocd - ZIP64_LOCATOR_SIZE;
    if (locator >= 0 && dv.getUint32(locator, true) === SIG_ZIP64_LOCATOR) {
      const z64Offset = u64(dv, locator + 8, `${this.source}: ZIP64 record offset`);
      if (z64Offset + ZIP64_EOCD_SIZE > size) throw new Error(`${this.source}: ZIP64 end record is past the end of the archive`);
      const z = view(this.src.read(z64Offset, ZIP64_EOCD_SIZE));
      if (z.getUint32(0, true) !== SIG_ZIP64_EOCD) throw new Error(`${this.source}: bad ZIP64 end record signature`);
      dir = { count: u64(z, 32, `${this.source}: entry count`), size: u64(z, 40, `${this.source}: directory size`), offset: u64(z, 48, `${this.source}: directory offset`) };
    }
    if (dir.offset + dir.size > size) throw new Error(`${this.source}: central directory (${dir.size} bytes at ${dir.offset}) is past the end of the archive`);
    if (dir.count * CENTRAL_HEADER_SIZE > dir.size) throw new Error(`${this.source}: central directory too small for ${dir.count} entries`);
    return dir;
  }

  private readCentralDirectory(dir: Directory): Map<string, ZipEntry> {
    const cd = this.src.read(dir.offset, dir.size);
    const dv = view(cd);
    const entries = new Map<string, ZipEntry>();
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    const latin1 = new TextDecoder('latin1');
    let p = 0;
    for (let i = 0; i < dir.count; i++) {
      if (p + CENTRAL_HEADER_SIZE > cd.length || dv.getUint32(p, true) !== SIG_CENTRAL) {
        throw new Error(`${this.source}: bad central directory header for entry ${i} (offset ${dir.offset + p})`);
      }
      const flags = dv.getUint16(p + 8, true);
      const nameLen = dv.getUint16(p + 28, true);
      const extraLen = dv.getUint16(p + 30, true);
      const commentLen = dv.getUint16(p + 32, true);
      const end = p + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
      if (end > cd.length) throw new Error(`${this.source}: central directory entry ${i} runs past the directory`);
      const nameBytes = cd.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLen);
      const name = flags & FLAG_UTF8 ? utf8Name(utf8, nameBytes, `${this.source}: central directory entry ${i}`) : latin1.decode(nameBytes);
      let size = dv.getUint32(p + 24, true);
      let compressedSize = dv.getUint32(p + 20, true);
      let localHeaderOffset = dv.getUint32(p + 42, true);
      // ZIP64 extra: 8-byte values for exactly those fields that read 0xFFFFFFFF, in this order.
      const extraStart = p + CENTRAL_HEADER_SIZE + nameLen;
      for (let e = extraStart; e + 4 <= extraStart + extraLen; ) {
        const id = dv.getUint16(e, true);
        const len = dv.getUint16(e + 2, true);
        if (e + 4 + len > extraStart + extraLen) break;
        if (id === EXTRA_ZIP64) {
          let q = e + 4;
          const next = (what: string): number => {
            if (q + 8 > e + 4 + len) throw new Error(`${this.source}: entry '${name}': ZIP64 extra field lacks the ${what}`);
            const v = u64(dv, q, `${this.source}: entry '${name}': ${what}`);
            q += 8;
            return v;
          };
          if (size === U32_MAX) size = next('size');
          if (compressedSize === U32_MAX) compressedSize = next('compressed size');
          if (localHeaderOffset === U32_MAX) localHeaderOffset = next('header offset');
        }
        e += 4 + len;
      }
      if (entries.has(name)) throw new Error(`${this.source}: duplicate entry '${name}'`);
      entries.set(name, { name, method: dv.getUint16(p + 10, true), compressedSize, size, crc32: dv.getUint32(p + 16, true), localHeaderOffset, flags });
      p = end;
    }
    return entries;
  }
}

export interface ZipInputEntry {
  readonly name: string;
  /** The entry's bytes, possibly in several chunks (not copied). */
  readonly data: Uint8Array | readonly Uint8Array[];
}

export interface ZipWriteOptions {
  /** Data of every entry starts at a multiple of this (default 64, as torch.save). */
  readonly align?: number;
  /** Write ZIP64 records even when nothing needs them (for testing readers). */
  readonly forceZip64?: boolean;
}

/** DOS date 1980-01-01, time 00:00: fixed so that identical content gives identical archives. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

function le(size: number): { bytes: Uint8Array; dv: DataView } {
  const bytes = new Uint8Array(size);
  return { bytes, dv: new DataView(bytes.buffer) };
}

/** A stored-only ZIP archive as chunks (entry data are referenced, not copied). */
export function zipChunks(entries: readonly ZipInputEntry[], options: ZipWriteOptions = {}): Uint8Array[] {
  const align = options.align ?? 64;
  const out: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) throw new Error(`zip: duplicate entry name '${entry.name}'`);
    seen.add(entry.name);
    const chunks = entry.data instanceof Uint8Array ? [entry.data] : entry.data;
    const size = chunks.reduce((n, c) => n + c.length, 0);
    const crc = chunks.reduce((c, chunk) => crc32(chunk, c), 0) >>> 0;
    const name = Buffer.from(entry.name, 'utf8');
    const zip64 = options.forceZip64 === true || size >= U32_MAX || offset >= U32_MAX;
    const flags = /^[\x00-\x7f]*$/.test(entry.name) ? 0 : FLAG_UTF8;
    const version = zip64 ? 45 : 20;

    const localZip64 = zip64 ? 20 : 0;
    const unpadded = offset + LOCAL_HEADER_SIZE + name.length + localZip64 + 4;
    const padding = (align - (unpadded % align)) % align;
    const local = le(LOCAL_HEADER_SIZE + name.length + localZip64 + 4 + padding);
    const l = local.dv;
    l.setUint32(0, SIG_LOCAL, true);
    l.setUint16(4, version, true);
    l.setUint16(6, flags, true);
    l.setUint16(8, METHOD_STORED, true);
    l.setUint16(10, 0, true);
    l.setUint16(12, DOS_DATE, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, zip64 ? U32_MAX : size, true);
    l.setUint32(22, zip64 ? U32_MAX : size, true);
    l.setUint16(26, name.length, true);
    l.setUint16(28, localZip64 + 4 + padding, true);
    local.bytes.set(name, LOCAL_HEADER_SIZE);
    let e = LOCAL_HEADER_SIZE + name.length;
    if (zip64) {
      l.setUint16(e, EXTRA_ZIP64, true);
      l.setUint16(e + 2, 16, true);
      l.setBigUint64(e + 4, BigInt(size), true);
      l.setBigUint64(e + 12, BigInt(size), true);
      e += 20;
    }
    l.setUint16(e, EXTRA_PADDING, true);
    l.setUint16(e + 2, padding, true);
    local.bytes.fill(0x5a, e + 4); // 'Z', like PyTorch

    const centralZip64 = zip64 ? 28 : 0;
    const c = le(CENTRAL_HEADER_SIZE + name.length + centralZip64);
    const d = c.dv;
    d.setUint32(0, SIG_CENTRAL, true);
    d.setUint16(4, version, true);
    d.setUint16(6, version, true);
    d.setUint16(8, flags, true);
    d.setUint16(10, METHOD_STORED, true);
    d.setUint16(12, 0, true);
    d.setUint16(14, DOS_DATE, true);
    d.setUint32(16, crc, true);
    d.setUint32(20, zip64 ? U32_MAX : size, true);
    d.setUint32(24, zip64 ? U32_MAX : size, true);
    d.setUint16(28, name.length, true);
    d.setUint16(30, centralZip64, true);
    d.setUint32(42, zip64 ? U32_MAX : offset, true);
    c.bytes.set(name, CENTRAL_HEADER_SIZE);
    if (zip64) {
      const z = CENTRAL_HEADER_SIZE + name.length;
      d.setUint16(z, EXTRA_ZIP64, true);
      d.setUint16(z + 2, 24, true);
      d.setBigUint64(z + 4, BigInt(size), true);
      d.setBigUint64(z + 12, BigInt(size), true);
      d.setBigUint64(z + 20, BigInt(offset), true);
    }
    central.push(c.bytes);
    out.push(local.bytes, ...chunks);
    offset += local.bytes.length + size;
  }

  const dirOffset = offset;
  const dirSize = central.reduce((n, c) => n + c.length, 0);
  out.push(...central);
  const zip64End = options.forceZip64 === true || entries.length >= U16_MAX || dirOffset >= U32_MAX || dirSize >= U32_MAX;
  if (zip64End) {
    const z = le(ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE);
    const v = z.dv;
    v.setUint32(0, SIG_ZIP64_EOCD, true);
    v.setBigUint64(4, BigInt(ZIP64_EOCD_SIZE - 12), true);
    v.setUint16(12, 45, true);
    v.setUint16(14, 45, true);
    v.setBigUint64(24, BigInt(entries.length), true);
    v.setBigUint64(32, BigInt(entries.length), true);
    v.setBigUint64(40, BigInt(dirSize), true);
    v.setBigUint64(48, BigInt(dirOffset), true);
    v.setUint32(ZIP64_EOCD_SIZE, SIG_ZIP64_LOCATOR, true);
    v.setBigUint64(ZIP64_EOCD_SIZE + 8, BigInt(dirOffset + dirSize), true);
    v.setUint32(ZIP64_EOCD_SIZE + 16, 1, true);
    out.push(z.bytes);
  }
  const end = le(EOCD_SIZE);
  const v = end.dv;
  v.setUint32(0, SIG_EOCD, true);
  v.setUint16(8, zip64End ? U16_MAX : entries.length, true);
  v.setUint16(10, zip64End ? U16_MAX : entries.length, true);
  v.setUint32(12, zip64End ? U32_MAX : dirSize, true);
  v.setUint32(16, zip64End ? U32_MAX : dirOffset, true);
  out.push(end.bytes);
  return out;
}

/** Writes a stored-only ZIP archive atomically. */
export function writeZipFile(path: string, entries: readonly ZipInputEntry[], options: ZipWriteOptions = {}): void {
  writeFileAtomic(path, zipChunks(entries, options));
}
