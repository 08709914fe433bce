/**
 * The RestMQ client SDK: `new RestMQ({ url, auth })`. Importable as `restmq/client`.
 */
export { RestMQ, MAX_BATCH } from './restmq.js';
export { RestMQError, isRestMQError, type ClientErrorCode } from './errors.js';
export type { Subscription } from './subscription.js';
export type * from './types.js';
