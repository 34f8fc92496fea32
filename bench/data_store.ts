/**
 * Dataset store vs annotation pickle: time (wall and CPU) and memory to open a split and to read
 * every sample of it once in random order, plus the one-off conversion.
 *
 *   node dist/bench/data_store.js [--per-class 250] [--classes 12] [--dir /tmp] [--keep]
 *
 * Generates a synthetic NTU-style pickle (protocol 4, like PYSKL's distributed files), converts it,
 * and runs each measurement in a fresh child process so that the resident memory after the phase
 * belongs to that phase alone. (The process peak is not reported: Linux carries ru_maxrss over
 * fork + exec, so a child's peak would include the parent's.) CPU seconds are given next to wall
 * seconds because the machine may be shared.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { convertToStore } from '../src/data/convert.js';
import { PoseDataset } from '../src/data/dataset.js';
import { writeSynthetic } from '../src/data/synthetic.js';

const SPLIT = 'xsub_train';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

interface Measure {
  seconds: number;
  cpu_seconds: number;
  rss_mib: number;
  samples: number;
}

/** Child process: one phase on one file, printed as JSON. */
function runPhase(phase: string, path: string): Measure {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ds = PoseDataset.open(path, { split: SPLIT, layout: 'nturgb+d' });
  let values = 0;
  if (phase === 'epoch') {
    // A fixed pseudo-random order, the access pattern of a shuffled training epoch.
    const order = Array.from({ length: ds.length }, (_, i) => i);
    let s = 12345;
    for (let i = order.length - 1; i > 0; i--) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const j = s % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) values += ds.get(i).keypoint?.data.length ?? 0;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const m: Measure = {
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    rss_mib: process.memoryUsage().rss / 2 ** 20,
    samples: phase === 'epoch' ? ds.length : 0,
  };
  ds.close();
  if (phase === 'epoch' && values === 0) throw new Error('no keypoints read');
  return m;
}

function child(phase: string, path: string): Measure {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, '--phase', phase, '--path', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`phase ${phase} on ${path} failed (${r.status})`);
  return JSON.parse(r.stdout) as Measure;
}

function main(): void {
  const phase = option('phase', '');
  if (phase) {
    process.stdout.write(JSON.stringify(runPhase(phase, option('path', ''))));
    return;
  }
  const perClass = Number(option('per-class', '250'));
  const classes = Number(option('classes', '12'));
  const dir = option('dir', '/tmp');
  const pkl = join(dir, `skagent_data_bench_${classes}x${perClass}.pkl`);
  const store = `${pkl}.skstore`;

  const timed = <T>(fn: () => T): [T, string] => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const value = fn();
    const c = process.cpuUsage(c0);
    return [value, `${((performance.now() - t0) / 1000).toFixed(2)} s wall, ${((c.user + c.system) / 1e6).toFixed(2)} s cpu`];
  };
  const [content, generated] = timed(() => writeSynthetic(pkl, { layout: 'nturgb+d', classes, perClass, seed: 0 }));
  const [, converted] = timed(() => convertToStore(pkl, store, { layout: 'nturgb+d' }));

  const rows: [string, Measure][] = [
    ['pickle: open split', child('open', pkl)],
    ['store:  open split', child('open', store)],
    ['pickle: open + read all', child('epoch', pkl)],
    ['store:  open + read all', child('epoch', store)],
  ];
  const mib = (p: string): string => `${(statSync(p).size / 2 ** 20).toFixed(1)} MiB`;
  console.log(`synthetic nturgb+d: ${content.annotations.length} samples (${classes} classes x ${perClass}); split ${SPLIT}: ${rows[2][1].samples} samples`);
  console.log(`generate + write pickle: ${generated} (${mib(pkl)})`);
  console.log(`convert to store:        ${converted} (${mib(store)})`);
  console.log(`${'phase'.padEnd(26)} ${'wall s'.padStart(8)} ${'cpu s'.padStart(8)} ${'RSS MiB'.padStart(9)}`);
  for (const [name, m] of rows) {
    console.log(`${name.padEnd(26)} ${m.seconds.toFixed(3).padStart(8)} ${m.cpu_seconds.toFixed(3).padStart(8)} ${m.rss_mib.toFixed(0).padStart(9)}`);
  }
  if (!process.argv.includes('--keep')) {
    rmSync(pkl);
    rmSync(store);
  }
}

main();
