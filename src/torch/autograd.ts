/** Autograd mode switches. */
import { native } from './native.js';

/** Runs fn with gradient recording off (torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  const prev = native().setGradEnabled(false);
  try { return fn(); } finally { native().setGradEnabled(prev); }
}

/** Runs fn with gradient recording on (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  const prev = native().setGradEnabled(true);
  try { return fn(); } finally { native().setGradEnabled(prev); }
}

export function isGradEnabled(): boolean { return native().isGradEnabled(); }
