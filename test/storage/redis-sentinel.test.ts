/**
 * The Redis store over a Sentinel-managed primary (redis-sentinel://), opened the way the
 * broker opens it (the URL through loadConfig, then openStore), with --redis-wait-replicas 1
 * so every enqueue also goes through WAIT: the conformance suite (every contract's cases).
 */
import { describe, before, after } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { openStore } from '../../src/storage/open.js';
import { startRedisSentinel, type RedisSentinel } from '../harness/redis-sentinel.js';
import { runStoreConformance } from './conformance.js';

describe('redis store through Sentinels', () => {
  let setup: RedisSentinel | undefined;
  before(async () => {
    setup = await startRedisSentinel({ password: 'pw' });
  });
  after(() => setup?.stop());
  const open = () => {
    if (!setup) throw new Error('Sentinels not started');
    return openStore(loadConfig({ store: setup.url, 'redis-wait-replicas': '1', 'redis-wait-timeout': '5000' }, {}).store);
  };

  runStoreConformance({ name: 'redis-sentinel', open });
});
