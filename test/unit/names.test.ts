/**
 * core/names.ts: queue names (SPEC 2), message keys of a queue (JSON `del`, R12), JSONP
 * callback names (SPEC 3), ttl and count. Every refusal is a typed BrokerError.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertCallback, assertQueueName, isKeyOfQueue, isValidQueueName, MAX_TAKE_COUNT, parseCount, parseTtl,
} from '../../src/core/names.js';
import { BrokerError } from '../../src/errors.js';

const isCode = (code: string) => (err: unknown) => {
  assert.ok(err instanceof BrokerError, `expected a BrokerError, got ${String(err)}`);
  assert.equal(err.code, code);
  assert.equal(err.status, 400);
  return true;
};

describe('queue names', () => {
  it('accepts 1 to 128 characters from A-Z a-z 0-9 _ . -', () => {
    for (const name of ['a', 'Z', '0', '_', '...', '.a', '-', '__proto__', 'constructor', 'my_queue.v2-test', 'x'.repeat(128), '123', 'queueset', 'QUEUESET2']) {
      assert.equal(isValidQueueName(name), true, name);
      assert.equal(assertQueueName(name), name);
    }
  });
  it('refuses the empty name and 129 characters', () => {
    for (const name of ['', 'x'.repeat(129)]) {
      assert.equal(isValidQueueName(name), false, name);
      assert.throws(() => assertQueueName(name), isCode('INVALID_QUEUE_NAME'));
    }
  });
  it('refuses the reserved names', () => {
    for (const name of ['QUEUESET', 'AUTHKEY', 'queuestat', '.', '..']) {
      assert.equal(isValidQueueName(name), false, name);
      assert.throws(() => assertQueueName(name), isCode('INVALID_QUEUE_NAME'));
    }
  });
  it('refuses other characters (":" above all: keys of two queues must never collide)', () => {
    for (const name of ['a:b', ':', 'a b', 'a/b', 'a*', 'a?', 'a[1]', 'é', 'a\n', 'a+b', 'a%20', 'a\u0000']) {
      assert.equal(isValidQueueName(name), false, JSON.stringify(name));
      assert.throws(() => assertQueueName(name), isCode('INVALID_QUEUE_NAME'));
    }
  });
  it('refuses non-strings', () => {
    for (const v of [undefined, null, 5, ['q'], { q: 1 }]) assert.throws(() => assertQueueName(v), isCode('INVALID_QUEUE_NAME'));
  });
});

describe('isKeyOfQueue', () => {
  it('accepts <queue>:<n>, n a positive integer without leading zeros', () => {
    assert.equal(isKeyOfQueue('q', 'q:1'), true);
    assert.equal(isKeyOfQueue('q', 'q:1234567890123456'), true);
    assert.equal(isKeyOfQueue('a.b', 'a.b:42'), true);
  });
  it("refuses global keys, other queues' keys and internal keys", () => {
    const refused = ['QUEUESET', 'AUTHKEY:x', 'queuestat::q', 'other:1', 'qq:1', 'q.x:1', 'q:UUID', 'q:queue', 'q:queuepolicy',
      'q:1:refcount', 'q:1:lock', 'q:', 'q:0', 'q:01', 'q:-1', 'q:1.0', 'q: 1', 'q:12345678901234567', 'q:1 ', 'q'];
    for (const key of refused) assert.equal(isKeyOfQueue('q', key), false, key);
  });
});

describe('JSONP callbacks', () => {
  it('absent stays absent', () => {
    assert.equal(assertCallback(undefined), undefined);
  });
  it("a lone ? (jQuery's placeholder, sent literally) is no callback", () => {
    assert.equal(assertCallback('?'), undefined);
  });
  it('accepts JavaScript identifiers and dotted paths up to 64 characters', () => {
    for (const cb of ['cb', '$', '_', 'jQuery1710_123', 'a.b.c', '$.x_1', 'a'.repeat(64)]) assert.equal(assertCallback(cb), cb);
  });
  it('refuses anything else', () => {
    for (const cb of ['', '1cb', 'a-b', 'alert(1)', 'a;b', 'a b', '??', '?cb', '<script>', 'a'.repeat(65), '.a', 'cb//', 'é']) {
      assert.throws(() => assertCallback(cb), isCode('INVALID_CALLBACK'), JSON.stringify(cb));
    }
  });
});

describe('parseTtl', () => {
  it('absent: undefined', () => {
    for (const v of [undefined, null, '']) assert.equal(parseTtl(v), undefined);
  });
  it('whole seconds from 1 to one year, as string or number', () => {
    assert.equal(parseTtl('1'), 1);
    assert.equal(parseTtl('60'), 60);
    assert.equal(parseTtl('31536000'), 31536000);
    assert.equal(parseTtl(5), 5);
  });
  it('refuses zero, negatives, fractions, words, padding and out-of-range values', () => {
    for (const v of ['0', '-1', 'abc', '1.5', ' 1', '1 ', '1e3', '0x10', '31536001', '9999999999', 0, -1, 1.5, NaN, Infinity, true, {}, []]) {
      assert.throws(() => parseTtl(v), isCode('INVALID_TTL'), JSON.stringify(v));
    }
  });
});

describe('parseCount', () => {
  it('absent: undefined (one message, single-envelope reply)', () => {
    assert.equal(parseCount(undefined), undefined);
  });
  it(`accepts 1 to ${MAX_TAKE_COUNT}`, () => {
    assert.equal(MAX_TAKE_COUNT, 100);
    assert.equal(parseCount('1'), 1);
    assert.equal(parseCount('42'), 42);
    assert.equal(parseCount('100'), 100);
  });
  it('refuses everything else', () => {
    for (const v of ['', '0', '101', '1000', '-1', 'abc', '1.0', ' 1', '1e2']) assert.throws(() => parseCount(v), isCode('INVALID_COUNT'), v);
  });
});
