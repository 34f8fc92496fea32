/**
 * Python pickle I/O without Python and without code execution.
 *
 *   loadPickleFile(path, { globals: ANNOTATION_GLOBALS })   // streams multi-GB files in windows
 *   loadPickle(bytes, { globals: ANNOTATION_GLOBALS })
 *   dumpPickleFile(path, value, { protocol: 2 })             // or dumpPickle → Uint8Array
 *
 * The value model (how Python types map to TypeScript) is documented in values.ts.
 *
 * Memory: bytes payloads (array data) are carved from a few large ArrayBuffers sized to the input,
 * so loading an N-byte file costs about N of memory; an array keeps its ArrayBuffer alive, so
 * dropping part of a loaded file (e.g. keeping one split) does not return that part's memory.
 */
import { DEFAULT_WINDOW_BYTES, FileInput, MemoryInput, type ByteInput } from './input.js';
import { Unpickler, type UnpickleOptions } from './unpickler.js';
import type { PyValue } from './values.js';

export interface LoadPickleOptions extends UnpickleOptions {
  /** Names the input in error messages (default: the path, or `<bytes>`). */
  readonly source?: string;
}

export interface LoadPickleFileOptions extends LoadPickleOptions {
  /**
   * Largest window in bytes (default 32 MiB): the window starts small and grows up to this only for
   * str payloads, which are decoded in place; array bytes are read straight into their arrays.
   */
  readonly windowBytes?: number;
}

function run(input: ByteInput, options: LoadPickleOptions, source: string): PyValue {
  try {
    return new Unpickler(input, options, source).load();
  } finally {
    input.close();
  }
}

/** Decodes an in-memory pickle. Array data is copied out, so `bytes` may be reused afterwards. */
export function loadPickle(bytes: Uint8Array, options: LoadPickleOptions): PyValue {
  return run(new MemoryInput(bytes), options, options.source ?? '<bytes>');
}

/** Decodes a pickle file, reading it in windows (never the whole file at once). */
export function loadPickleFile(path: string, options: LoadPickleFileOptions): PyValue {
  return run(new FileInput(path, options.windowBytes ?? DEFAULT_WINDOW_BYTES), options, options.source ?? path);
}

export { PickleError, type UnpickleOptions } from './unpickler.js';
export {
  ANNOTATION_GLOBALS, BUILTIN_GLOBALS, NUMPY_GLOBALS, combinePolicies,
  type CallContext, type GlobalBinding, type GlobalsPolicy,
} from './globals.js';
export { dumpPickle, dumpPickleChunks, dumpPickleFile, type DumpOptions, type PyReduce } from './writer.js';
export {
  ORDERED_DICT, PyFloat, PyGlobal, PyInstance, PyObject, PyTuple, type PyDict, type PyValue,
  describePyValue, isOrderedDict, isPyDict, markOrderedDict, pyAttributes, setPyAttribute,
} from './values.js';
