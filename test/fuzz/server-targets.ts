/**
 * Fuzz targets for what clients send the two servers, run in-process on the servers' own request
 * readers: `skagent serve`'s /v1/recognize body and /v1/stream request target + messages
 * (src/live/requests.ts), and `skagent view`'s request line (ViewServer.answer, over a real
 * work folder with a sentinel file planted outside it). A refusal is an error the server answers
 * with a 4xx (503 for a full pool) whose message names the request part; an error it would answer
 * with a 500, a file from outside the served paths, or the sentinel's contents in any answer is a
 * crash. bench/fuzz-http.ts fires the same mutants at real servers over loopback.
 */
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HttpError } from '../../src/io/http-errors.js';
import { type ModelInput, answerStreamMessage, openStream, readRecognizeBody, statusOf } from '../../src/live/requests.js';
import type { KeypointRecognizer } from '../../src/live/stream.js';
import type { PackedKeypoints } from '../../src/live/poses.js';
import { ViewServer, errorStatus } from '../../src/viewer/server.js';
import { makeFixture } from '../viewer/fixture.js';
import { buildWebOnce } from '../viewer/build-web.js';
import type { FuzzTarget, Seed } from './target.js';

/** An NTU-25 3D model with two person slots (configs/quick/j's), as the server sees it. */
export const SERVE_MODEL: ModelInput & { clipLen: number } = {
  target: { layout: 'nturgb+d', joints: 25, channels: 3, scoreChannel: false, persons: 2 },
  fps: 30, topK: 5, clipLen: 8,
};

/** The packed keypoints the server would hand the model must be consistent: anything else is a bug here. */
function checkPacked(k: PackedKeypoints): void {
  const { data, persons, frames, joints, channels } = k;
  if (!(persons >= 1 && frames >= 1) || data.length !== persons * frames * joints * channels) {
    throw new TypeError(`packed keypoints ${persons}×${frames}×${joints}×${channels} hold ${data.length} values`);
  }
}

/** Stands in for the model: checks what it is given and answers at once. */
const MODEL_STUB: KeypointRecognizer = {
  async recognize(k, opts) {
    checkPacked(k);
    return { scores: new Float32Array([0.5, 0.5]), top: [{ index: 0, label: 'a', score: 0.5 }, { index: 1, label: 'b', score: 0.5 }].slice(0, opts?.topK) };
  },
};

/** A refusal the server answers with a 4xx (or 503) whose message starts with the request part. */
export function servedRefusal(part: RegExp): (err: unknown) => boolean {
  return (err) => {
    const status = statusOf(err);
    return status >= 400 && status < 500 && err instanceof Error && part.test(err.message);
  };
}

/** Deterministic NTU-25 keypoints (x, y, z) for `people` tracks over `frames` frames. */
export function ntuPeople(frames: number, people = 1): { id: number; keypoints: number[][] }[][] {
  return Array.from({ length: frames }, (_, t) => Array.from({ length: people }, (_, p) => ({
    id: p + 1,
    keypoints: Array.from({ length: 25 }, (_, j) => [+(Math.sin(t * 0.1 + j + p)).toFixed(3), +(Math.cos(t * 0.07 * j) + p).toFixed(3), +(2 + 0.01 * j).toFixed(2)]),
  })));
}

/** JSON with a space after each comma, so number edits and splits see separate literals. */
const spaced = (v: unknown): string => JSON.stringify(v).replace(/,/g, ', ');
const text = (name: string, s: string, refused = false): Seed => ({ name, bytes: Buffer.from(s, 'utf8'), ...(refused ? { refused } : {}) });

/** Keys and values of the pose JSON the mutator splices in. */
const POSE_DICTIONARY = [
  '"frames"', '"people"', '"keypoints"', '"id"', '"t"', '"top"', '"fps"', '"format"', '"channels"', '"ntu25"', '"coco17"',
  '"openpose18"', '"blazepose33"', '"xy"', '"xys"', '"xyz"', '"xyzs"', 'null', 'true', '[]', '{}', '[[]]', '1e309', '-1e309',
  '99999999999', '1e300', '-0', '0', ', ', ': ', '[', ']', '{', '}', '"', '\\u0000', '"__proto__"', '"constructor"',
];

/** `POST /v1/recognize` bodies, read and mapped onto the model as the server does before a model run. */
export const serveBody: FuzzTarget = {
  name: 'serve: recognize body',
  text: true,
  json: true,
  dictionary: POSE_DICTIONARY,
  seeds: () => {
    const frames = ntuPeople(8, 2);
    const lines = (fs: unknown[]) => fs.map(spaced).join(',\n');
    return [
      text('frames-top.json', `{"top": 3, "frames": [\n${lines(frames)}\n]}`),
      text('array.json', `[\n${lines(ntuPeople(6).map((f) => f.map((p) => p.keypoints)))}\n]`),
      text('timed.json', `{"format": "ntu25", "channels": "xyz", "fps": 30, "frames": [\n${lines(frames.map((people, i) => ({ t: i / 20, people })))}\n]}`),
    ];
  },
  parse(bytes) {
    checkPacked(readRecognizeBody(Buffer.from(bytes).toString('utf8'), SERVE_MODEL).keypoints);
  },
  isOwnError: servedRefusal(/^body\b/),
};

/**
 * A WebSocket stream: line 0 is the upgrade's request target (`/v1/stream?window=4&stride=2`),
 * each further line one message. A bad frame is answered and the stream goes on, so the input is
 * refused when any message was, and crashes when any answer is a 500.
 */
export const serveStream: FuzzTarget = {
  name: 'serve: stream target + messages',
  text: true,
  json: true,
  dictionary: [...POSE_DICTIONARY, '/v1/stream', '?', '&', '=', 'window=', 'stride=', 'top=', '%', '%00', '//', '4294967296'],
  seeds: () => {
    const frames = ntuPeople(6, 2);
    return [
      text('stream.txt', ['/v1/stream?window=4&stride=2&top=2', ...frames.map((people) => spaced({ people }))].join('\n')),
      text('stream-timed.txt', ['/v1/stream?window=3&stride=1', ...frames.map((people, i) => spaced({ t: i * 0.05, people }))].join('\n')),
      text('stream-arrays.txt', ['/v1/stream', ...ntuPeople(9).map((f) => spaced(f.map((p) => p.keypoints)))].join('\n')),
    ];
  },
  async parse(bytes) {
    const [target, ...messages] = Buffer.from(bytes).toString('utf8').split('\n');
    const stream = openStream(target, MODEL_STUB, SERVE_MODEL);
    let refusal: HttpError | undefined;
    for (let i = 0; i < messages.length; i++) {
      const reply = await answerStreamMessage(stream, { text: messages[i] }, `frame ${i}`);
      if (reply?.type !== 'error') continue;
      if (reply.status >= 500 && reply.status !== 503) throw new Error(`reply ${reply.status} to frame ${i}: ${reply.error}`);
      refusal ??= new HttpError(reply.status, reply.error);
    }
    if (refusal) throw refusal;
  },
  isOwnError: servedRefusal(/^(query|request target|no WebSocket route|frame \d+)\b/),
};

/** The viewer over a real work folder, a sentinel file next to it (outside) and links pointing out. */
interface ViewerUnderTest { readonly server: ViewServer; readonly sentinel: string }
let viewer: ViewerUnderTest | undefined;

export function viewerUnderTest(): ViewerUnderTest {
  if (viewer) return viewer;
  buildWebOnce();
  const fx = makeFixture();
  const sentinel = `skagent-fuzz-sentinel-${randomBytes(8).toString('hex')}`;
  const outside = join(dirname(fx.root), `outside-${process.pid}-${randomBytes(4).toString('hex')}.txt`);
  writeFileSync(outside, sentinel);
  symlinkSync(outside, join(fx.root, 'escape.txt'));
  symlinkSync(dirname(fx.root), join(fx.root, 'up-link'));
  process.on('exit', () => { rmSync(outside, { force: true }); rmSync(fx.root, { recursive: true, force: true }); });
  viewer = { server: new ViewServer({ paths: [fx.root] }), sentinel };
  return viewer;
}

/** Thrown when an answer leaves the served paths or carries the sentinel: always a crash. */
export class LeakError extends Error {}

/** The viewer's request lines worth starting from: what its tests and its page request. */
const VIEW_REQUESTS = [
  '/', '/assets/app.js', '/api/catalog', '/api/configs', '/api/synthetic-classes',
  '/api/run?id=run:0:j', '/api/result?id=result:0:j/test', '/api/agent?id=run:0:j',
  '/api/ensemble?test=result:0:j/test,result:0:b/test&val=result:0:j/val,result:0:b/val&weights=2,1',
  '/api/dataset?id=dataset:0:data/synth_ntu.pkl', '/api/samples?id=dataset:0:data/synth_ntu.pkl&split=xsub_val',
  '/api/sample?id=dataset:0:data/synth_ntu.pkl&split=xsub_val&index=1&config=quick/j&mode=test&seed=0',
  '/api/synthetic?layout=coco&class=1&seed=2', '/api/edges?joints=25&layout=nturgb%2Bd',
  '/files/0/j/20260101_000000.log.json', '/files/0/data/labels.txt',
];
/** The viewer tests' traversal attempts: each must be refused (and stays refused when mutated). */
const TRAVERSALS = [
  '/files/0/../outside.txt', '/files/0/j/../../outside.txt', '/files/0/%2e%2e/%2e%2e/etc/passwd', '/files/0/%2E%2E%2Fetc%2Fpasswd',
  '/files/0/..%2f..%2fetc%2fpasswd', '/files/0/..%5c..%5cetc%5cpasswd', '/files/0//etc/passwd', '/files/0/%2fetc%2fpasswd',
  '/files/0/escape.txt', '/files/0/up-link/', '/files/0/j%00.txt', '/files/1/anything', '/files/-1/x',
];

/** `METHOD /path?query` request lines against ViewServer.answer. */
export const viewRequest: FuzzTarget = {
  name: 'view: request line',
  text: false,
  dictionary: ['/', '..', '../', '%2e', '%2e%2e', '%2f', '%5c', '\\', '%00', '%', '?', '&', '=', '#', '//', '/files/0/', '/files/', '/api/',
    'id=', 'run:0:j', 'result:0:j/test', 'dataset:0:data/synth_ntu.pkl', 'escape.txt', 'up-link', 'outside', 'etc/passwd', ',', '-1', '1e309', 'NaN',
    'constructor', '__proto__', 'toString', 'HEAD ', 'POST '],
  seeds: () => {
    viewerUnderTest(); // built here, so the page build is not timed as an input
    return [...VIEW_REQUESTS.map((p) => text(`GET ${p}`, `GET ${p}`)), ...TRAVERSALS.map((p) => text(`GET ${p}`, `GET ${p}`, true))];
  },
  parse(bytes) {
    const { server, sentinel } = viewerUnderTest();
    const line = Buffer.from(bytes).toString('latin1');
    const space = line.indexOf(' ');
    const answer = server.answer(space < 0 ? 'GET' : line.slice(0, space), space < 0 ? line : line.slice(space + 1));
    if (answer.kind === 'file') {
      if (!server.roots.contains(answer.path)) throw new LeakError(`served ${answer.path}, outside the served paths`);
      if (existsSync(answer.path) && answer.size < 1 << 20 && readFileSync(answer.path, 'latin1').includes(sentinel)) throw new LeakError(`served the sentinel (${answer.path})`);
    } else if (answer.kind === 'json' && JSON.stringify(answer.body).includes(sentinel)) {
      throw new LeakError('an API answer carries the sentinel');
    }
  },
  isOwnError: (err) => !(err instanceof LeakError) && errorStatus(err) >= 400 && errorStatus(err) < 500,
};

export const SERVER_TARGETS: readonly FuzzTarget[] = [serveBody, serveStream, viewRequest];
