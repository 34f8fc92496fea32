/** Skeleton layouts, index tables and graph construction. */
export * from './layouts.js';
export * from './tables.js';
export * from './graph.js';
