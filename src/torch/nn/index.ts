export { Module, ModuleList, ModuleDict, Sequential, StateDictError, type LoadResult, type Forward } from './module.js';
export * from './layers.js';
export * as init from './init.js';
