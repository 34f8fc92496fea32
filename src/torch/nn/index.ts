export { Module, ModuleList, ModuleDict, StateDictError, type LoadResult } from './module.js';
export * from './layers.js';
export * as init from './init.js';
