/** The one mapping from Redis failures to broker errors (storeError): "not now" answers are
 *  STORE_UNAVAILABLE (503, the client retries), anything else from Redis is INTERNAL. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyError } from 'ioredis';
import { storeError } from '../../src/storage/redis/redis-errors.js';

it('answers met while a cluster slot migrates are transient; a script error is internal', () => {
  for (const reply of ['NOSCRIPT No matching script. Please use EVAL.', 'MOVED 485 127.0.0.1:7001', 'ASK 485 127.0.0.1:7002',
    'TRYAGAIN Multiple keys request during rehashing of slot', 'CLUSTERDOWN The cluster is down', 'READONLY You can\'t write against a read only replica.']) {
    assert.equal(storeError(new ReplyError(reply)).code, 'STORE_UNAVAILABLE', reply);
  }
  assert.equal(storeError(new ReplyError('ERR user_script:1: Script attempted to access nonexistent global variable')).code, 'INTERNAL');
  assert.equal(storeError(new Error('Connection is closed.')).code, 'STORE_UNAVAILABLE');
});
