/** Malformed checkpoint files for error-path tests, written without Python. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePth } from '../../src/io/pth.js';
import { PyGlobal } from '../../src/io/pickle/index.js';

export interface BadFiles {
  /** A text file. */
  notZip: string;
  /** The first half of a real checkpoint. */
  truncated: string;
  /** A valid torch.save archive whose pickle references `os.system`. */
  disallowedGlobal: string;
  /** A valid torch.save archive of a list, not a dict. */
  notADict: string;
  /** A dict without 'state_dict' whose values are not tensors. */
  noStateDict: string;
}

export function writeBadFiles(dir: string, realCheckpoint: string): BadFiles {
  const files: BadFiles = {
    notZip: join(dir, 'notes.pth'),
    truncated: join(dir, 'truncated.pth'),
    disallowedGlobal: join(dir, 'evil.pth'),
    notADict: join(dir, 'list.pth'),
    noStateDict: join(dir, 'config.pth'),
  };
  writeFileSync(files.notZip, 'just some text, not a checkpoint\n');
  const bytes = readFileSync(realCheckpoint);
  writeFileSync(files.truncated, bytes.subarray(0, bytes.length >> 1));
  writePth(files.disallowedGlobal, { state_dict: { w: new PyGlobal('os', 'system') } });
  writePth(files.notADict, [1, 2, 3]);
  writePth(files.noStateDict, { epoch: 3, lr: 0.1 });
  return files;
}
