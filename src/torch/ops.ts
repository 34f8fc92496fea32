/**
 * Operator references: an ATen schema name resolved to a dispatcher handle on first use and
 * cached, so the hot path is one native call with no string handling.
 */
import { native } from './native.js';

export interface OpRef {
  readonly name: string;
  readonly overload: string;
  id: number;
}

/** Declares an operator, e.g. `op('aten::conv2d')` or `op('aten::add', 'Tensor')`. */
export function op(name: string, overload = ''): OpRef {
  return { name, overload, id: -1 };
}

export function opId(ref: OpRef): number {
  if (ref.id < 0) ref.id = native().opHandle(ref.name, ref.overload);
  return ref.id;
}

/** The full schema text of an operator (for help and error messages). */
export function opSchema(ref: OpRef): string {
  return native().opSchema(opId(ref));
}
