/** Configs as validated data. */
export { CONFIG_DIR, checkConsistency, configPath, listConfigs, loadConfig, parseConfig, semiVariant } from './load.js';
export type { Config, DatasetConfig, OpConfig, RawConfig } from './config-schema.js';
