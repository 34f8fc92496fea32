import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, needFixtures } from '../fixtures.js';
import { ZipReader, writeZipFile, zipChunks } from '../../src/io/zip.js';
import { needPython, runPythonJson } from './python.js';

const concat = (chunks: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(chunks));

const ENTRIES = [
  { name: 'archive/data.pkl', data: Buffer.from('pickle bytes') },
  { name: 'archive/data/0', data: [new Uint8Array(1000).fill(1), new Uint8Array(37).fill(2)] },
  { name: 'archive/empty', data: new Uint8Array(0) },
  { name: 'archive/ünïcode', data: Buffer.from('x') },
  { name: 'archive/version', data: Buffer.from('3\n') },
];

/** Offsets where entry data start, from the local headers. */
function dataOffsets(zip: Uint8Array, reader: ZipReader): number[] {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  return [...reader.entries.values()].map((e) => e.localHeaderOffset + 30 + dv.getUint16(e.localHeaderOffset + 26, true) + dv.getUint16(e.localHeaderOffset + 28, true));
}

describe('zip', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skagent-zip-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const forceZip64 of [false, true]) {
    it(`writes and reads back stored entries aligned to 64 bytes${forceZip64 ? ' (ZIP64 records)' : ''}`, () => {
      const zip = concat(zipChunks(ENTRIES, { forceZip64 }));
      const reader = ZipReader.fromBytes(zip);
      assert.deepEqual(reader.names(), ENTRIES.map((e) => e.name));
      for (const e of ENTRIES) {
        const expected = e.data instanceof Uint8Array ? e.data : concat(e.data as Uint8Array[]);
        assert.deepEqual(Buffer.from(reader.read(e.name)), Buffer.from(expected), e.name);
      }
      for (const off of dataOffsets(zip, reader)) assert.equal(off % 64, 0);
      // Entry data are views of the archive's own buffers: aligned typed arrays can view them.
      assert.equal(reader.read('archive/data/0').byteOffset % 8, 0);
    });
  }

  it('Python zipfile reads our archives (plain and ZIP64) and we read its deflated ones', { skip: needPython() }, () => {
    const plain = join(dir, 'plain.zip');
    const z64 = join(dir, 'z64.zip');
    const deflated = join(dir, 'deflated.zip');
    writeZipFile(plain, ENTRIES);
    writeZipFile(z64, ENTRIES, { forceZip64: true });
    const result = runPythonJson<Record<string, [string, string][]>>(String.raw`
import zipfile, zlib
out = {}
for path in sys.argv[1:3]:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        out[path] = [[i.filename, z.read(i).hex()] for i in z.infolist()]
with zipfile.ZipFile(sys.argv[3], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('a/text', 'hello ' * 1000)
    z.writestr('a/bin', bytes(range(256)) * 10)
print(json.dumps(out))
`, [plain, z64, deflated]);
    for (const path of [plain, z64]) {
      assert.deepEqual(result[path].map(([n]) => n), ENTRIES.map((e) => e.name), path);
      const reader = ZipReader.open(path);
      for (const [name, hex] of result[path]) assert.equal(Buffer.from(reader.read(name)).toString('hex'), hex, `${path} ${name}`);
      reader.close();
    }
    const reader = ZipReader.open(deflated);
    assert.equal(reader.entries.get('a/text')?.method, 8);
    assert.equal(Buffer.from(reader.read('a/text')).toString(), 'hello '.repeat(1000));
    assert.deepEqual(Buffer.from(reader.read('a/bin')), Buffer.concat(Array(10).fill(Buffer.from([...Array(256).keys()]))));
    reader.close();
  });

  it('reads the torch-written checkpoint fixture (data descriptors, ZIP64 end records)', { skip: needFixtures() }, () => {
    const reader = ZipReader.open(fixture('models', 'ntu60_xsub_j', 'checkpoint.pth'));
    assert.equal(reader.entries.size, 757);
    assert.equal(Buffer.from(reader.read('archive/version')).toString(), '3\n');
    assert.equal(reader.read('archive/data/0').length, 150000);
    reader.close();
  });

  it('detects corruption and non-zip input', () => {
    const zip = concat(zipChunks(ENTRIES));
    const reader = ZipReader.fromBytes(zip, 'bad.zip');
    const [off] = dataOffsets(zip, reader);
    const corrupt = zip.slice();
    corrupt[off] ^= 0xff;
    assert.throws(() => ZipReader.fromBytes(corrupt, 'bad.zip').read('archive/data.pkl'), /bad\.zip: entry 'archive\/data\.pkl': CRC-32 mismatch/);
    assert.throws(() => reader.read('missing'), /no entry 'missing'/);
    assert.throws(() => ZipReader.fromBytes(new Uint8Array(100), 'x.bin'), /x\.bin: not a zip archive \(no end-of-central-directory record\)/);
    assert.throws(() => ZipReader.fromBytes(zip.subarray(0, zip.length - 30), 'cut.zip'), /cut\.zip: not a zip archive/);
    const badDir = zip.slice();
    new DataView(badDir.buffer).setUint32(badDir.length - 6, 1 << 30, true); // central directory offset
    assert.throws(() => ZipReader.fromBytes(badDir, 'dir.zip'), /dir\.zip: central directory .* past the end/);
    assert.throws(() => zipChunks([ENTRIES[0], ENTRIES[0]]), /duplicate entry name/);
    // A name flagged UTF-8 whose bytes are not UTF-8 (found by the fuzzer: it threw a TypeError).
    const badName = zip.slice();
    const at = Buffer.from(badName.buffer).lastIndexOf(Buffer.from('archive/ü')) + 'archive/'.length;
    badName[at] = 0xff;
    assert.throws(() => ZipReader.fromBytes(badName, 'name.zip'), (e: Error) =>
      e.constructor === Error && /name\.zip: central directory entry 3: the file name is flagged UTF-8 but is not valid UTF-8/.test(e.message));
  });

  it('writeZipFile replaces the target atomically', () => {
    const path = join(dir, 'atomic.zip');
    writeFileSync(path, 'old');
    writeZipFile(path, ENTRIES.slice(0, 1));
    assert.deepEqual(ZipReader.fromBytes(readFileSync(path)).names(), ['archive/data.pkl']);
  });
});
