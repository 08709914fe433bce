/** The conformance suite on Redis: a private redis-server started for this file. */
import { privateRedis } from './private-redis.js';
import { runStoreConformance } from './conformance.js';

const { open } = privateRedis();
runStoreConformance({ name: 'redis', open: () => open() });
