/**
 * Agent/text throughput on the original's assets: BPE vocabulary load, description extraction and
 * CLIP tokenisation of all 834 shipped descriptions (cold and warm BPE cache), the Selector for all
 * 15 tensors. Run: node dist/bench/agent_text.js  (needs the original's data assets: $SKAGENT_ORIGINAL, or a `shared` folder next to the repository, see test/fixtures.ts).
 */
import { performance } from 'node:perf_hooks';
import { DATASETS } from '../src/skeleton/datasets.js';
import { SELECTOR_MODALITIES, buildCriticalJoints } from '../src/agent/selector.js';
import { ConversationStore, readLabelMap } from '../src/agent/store.js';
import { ClipTokenizer } from '../src/text/tokenizer.js';
import { ORIGINAL, original } from '../test/fixtures.js';

function time<T>(label: string, fn: () => T, per?: number): T {
  const t0 = performance.now();
  const out = fn();
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms${per ? `  (${((ms * 1000) / per).toFixed(1)} us each)` : ''}`);
  return out;
}

if (!ORIGINAL) {
  console.error('original assets not found; set SKAGENT_ORIGINAL');
  process.exit(1);
}
const tok = time('load bpe_simple_vocab_16e6.txt.gz', () => ClipTokenizer.fromFile(original('bpe_simple_vocab_16e6.txt.gz')));
const stores = Object.keys(DATASETS).map((ds) => new ConversationStore(readLabelMap(original('text', 'label_map', `${ds}.txt`)), original('text', 'gpt4o', ds), '/nonexistent'));
const descriptions = time('read + extract 834 descriptions', () => stores.flatMap((s) => s.descriptions().map((d) => d.text)), 834);
time('tokenize 834 descriptions (cold BPE cache)', () => tok.tokenize(descriptions), descriptions.length);
time('tokenize 834 descriptions (warm BPE cache)', () => tok.tokenize(descriptions), descriptions.length);
const texts = Object.keys(DATASETS).map((ds, i) => stores[i].classNames.map((_, c) => stores[i].read(c)));
time('Selector: 15 tensors from 834 files', () => Object.values(DATASETS).forEach(({ layout }, i) => SELECTOR_MODALITIES.forEach((m) => buildCriticalJoints(texts[i], layout, m))));
