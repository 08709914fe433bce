/** The package's public surface: run a broker in-process, and the wire types. */
export { startBroker, type RunningBroker } from './main.js';
export { loadConfig, type Config } from './config/load.js';
export type * from './wire.js';
