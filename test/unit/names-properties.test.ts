/**
 * Properties of src/core/names.ts: each validator accepts exactly its documented language
 * (compared with an oracle written without the module's regexes), and rejects everything
 * else with the right BrokerError, never another exception.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BrokerError } from '../../src/errors.js';
import {
  assertCallback,
  assertDedupId,
  assertQueueName,
  assertReceipt,
  isKeyOfQueue,
  isValidQueueName,
  parseCount,
  parseDelaySeconds,
  parseLeaseSeconds,
  parseTtl,
  parseWaitSeconds,
} from '../../src/core/names.js';
import { anyJsString, hostileText, queueName } from '../fuzz/arbitraries.js';

const NAME_CHARS = new Set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-');
const DIGITS = new Set('0123456789');
const TOKEN_CHARS = new Set([...NAME_CHARS].filter((c) => c !== '.'));

const only = (s: string, set: Set<string>) => [...s].every((c) => set.has(c));

/** Runs `f`: its value, or the BrokerError code it threw; any other exception fails the property. */
function outcome<T>(f: () => T): { ok: true; value: T } | { ok: false; code: string } {
  try {
    return { ok: true, value: f() };
  } catch (err) {
    assert.ok(err instanceof BrokerError, `expected a BrokerError, got ${String(err)}`);
    return { ok: false, code: err.code };
  }
}

/** Strings of digits mixed with anything else, so that both languages get hit. */
const numberish = fc.oneof(
  fc.nat({ max: 100_000_000 }).map(String),
  fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 12 }),
  fc.constantFrom('', ' 1', '1 ', '+1', '-1', '1.0', '1e3', '0x10', '０１', '١', '1\n', 'NaN', 'Infinity'),
  hostileText(6),
);

/** Oracle for the whole-number parsers: ASCII digits, at most `digits` long, value in [min, max]. */
function wholeNumber(s: string, digits: number, min: number, max: number): number | undefined {
  if (s.length === 0 || s.length > digits || !only(s, DIGITS)) return undefined;
  const n = Number(s);
  return n >= min && n <= max ? n : undefined;
}

describe('names: properties', () => {
  it('queue names: exactly 1-128 of A-Z a-z 0-9 _ . -, minus the reserved names, . and ..', () => {
    fc.assert(
      fc.property(fc.oneof(queueName, anyJsString(140), fc.string({ unit: fc.constantFrom(...'ab.-_:/ '), maxLength: 140 })), (s) => {
        const expected = s.length >= 1 && s.length <= 128 && only(s, NAME_CHARS) && !['QUEUESET', 'AUTHKEY', 'queuestat', '.', '..'].includes(s);
        assert.equal(isValidQueueName(s), expected, JSON.stringify(s));
        const r = outcome(() => assertQueueName(s));
        assert.deepEqual(r, expected ? { ok: true, value: s } : { ok: false, code: 'INVALID_QUEUE_NAME' });
      }),
    );
  });

  it('assertQueueName refuses every non-string with INVALID_QUEUE_NAME', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.constant(undefined)).filter((v) => typeof v !== 'string'), (v) => {
        assert.deepEqual(outcome(() => assertQueueName(v)), { ok: false, code: 'INVALID_QUEUE_NAME' });
      }),
    );
  });

  it('a message key of a queue is <queue>:<n>, n from 1 without leading zeros, at most 16 digits', () => {
    fc.assert(
      fc.property(queueName, fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 17n }).map(String), numberish, hostileText(5)), queueName, (q, n, other) => {
        const expected = n.length >= 1 && n.length <= 16 && only(n, DIGITS) && n[0] !== '0';
        assert.equal(isKeyOfQueue(q, `${q}:${n}`), expected, `${q}:${n}`);
        // A key of another queue never passes, even when one name prefixes the other.
        if (other !== q) assert.equal(isKeyOfQueue(q, `${other}:${n}`), false);
      }),
    );
  });

  it('receipts: <n>.<token>, n as a key number, token 8-43 URL-safe characters', () => {
    const token = fc.string({ unit: fc.constantFrom(...'aZ09_-.+/='), minLength: 0, maxLength: 50 });
    fc.assert(
      fc.property(fc.oneof(fc.tuple(fc.oneof(fc.nat().map(String), numberish), token).map(([n, t]) => `${n}.${t}`), anyJsString(60)), (s) => {
        const dot = s.indexOf('.');
        const n = dot < 0 ? '' : s.slice(0, dot);
        const t = dot < 0 ? '' : s.slice(dot + 1);
        const expected = n.length >= 1 && n.length <= 16 && only(n, DIGITS) && n[0] !== '0' && t.length >= 8 && t.length <= 43 && only(t, TOKEN_CHARS);
        assert.deepEqual(outcome(() => assertReceipt(s)), expected ? { ok: true, value: s } : { ok: false, code: 'INVALID_RECEIPT' }, JSON.stringify(s));
      }),
    );
    fc.assert(fc.property(fc.jsonValue().filter((v) => typeof v !== 'string'), (v) => assert.deepEqual(outcome(() => assertReceipt(v)), { ok: false, code: 'INVALID_RECEIPT' })));
  });

  it('JSONP callbacks: an identifier start, then up to 63 of \\w $ .', () => {
    const ident = fc.string({ unit: fc.constantFrom(...'aZ_$0.9(;'), minLength: 1, maxLength: 70 });
    fc.assert(
      fc.property(fc.oneof(ident, anyJsString(20)), (s) => {
        const start = /[A-Za-z_$]/.test(s[0] ?? '');
        const rest = new Set([...NAME_CHARS, '$'].filter((c) => c !== '-'));
        const expected = s.length >= 1 && s.length <= 64 && start && only(s.slice(1), rest);
        const want = s === '?' ? { ok: true, value: undefined } : expected ? { ok: true, value: s } : { ok: false, code: 'INVALID_CALLBACK' };
        assert.deepEqual(outcome(() => assertCallback(s)), want, JSON.stringify(s));
      }),
    );
    assert.equal(assertCallback(undefined), undefined);
  });

  it('dedup ids: 1-128 printable ASCII characters (no space)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary-ascii', minLength: 0, maxLength: 130 }), anyJsString(20)), (s) => {
        const expected = s.length >= 1 && s.length <= 128 && [...s].every((c) => c.charCodeAt(0) >= 0x21 && c.charCodeAt(0) <= 0x7e);
        assert.deepEqual(outcome(() => assertDedupId(s)), expected ? { ok: true, value: s } : { ok: false, code: 'INVALID_DEDUP' }, JSON.stringify(s));
      }),
    );
  });

  it('ttl, lease, delay, wait and count accept exactly the whole numbers of their range', () => {
    const cases: [string, (s: string) => number | undefined, number, number, number, string, boolean][] = [
      // name, parser, digits, min, max, code, blank means "absent"
      ['ttl', parseTtl, 9, 1, 31_536_000, 'INVALID_TTL', true],
      ['lease', parseLeaseSeconds, 6, 1, 43_200, 'INVALID_LEASE', false],
      ['delay', parseDelaySeconds, 6, 0, 43_200, 'INVALID_DELAY', true],
      ['wait', parseWaitSeconds, 2, 0, 60, 'INVALID_WAIT', true],
      ['count', parseCount, 3, 1, 100, 'INVALID_COUNT', false],
    ];
    for (const [name, parse, digits, min, max, code, blankIsAbsent] of cases) {
      fc.assert(
        fc.property(numberish, (s) => {
          const r = outcome(() => parse(s));
          if (s === '' && blankIsAbsent) return assert.ok(r.ok, `${name}: blank is absent`);
          const n = wholeNumber(s, digits, min, max);
          assert.deepEqual(r, n === undefined ? { ok: false, code } : { ok: true, value: n }, `${name}=${JSON.stringify(s)}`);
        }),
      );
    }
  });

  it('numeric fields given as JSON numbers: integers in range only', () => {
    const cases: [(v: unknown) => number | undefined, number, number, string][] = [
      [parseTtl, 1, 31_536_000, 'INVALID_TTL'],
      [parseLeaseSeconds, 1, 43_200, 'INVALID_LEASE'],
      [parseDelaySeconds, 0, 43_200, 'INVALID_DELAY'],
    ];
    for (const [parse, min, max, code] of cases) {
      fc.assert(
        fc.property(fc.oneof(fc.integer({ min: -10, max: 50_000_000 }), fc.double(), fc.constantFrom(Number.MAX_SAFE_INTEGER, 1e308, -0, 0.5)), (v) => {
          const r = outcome(() => parse(v));
          const ok = Number.isInteger(v) && v >= min && v <= max;
          if (ok) assert.ok(r.ok && r.value === v, `${v} accepted as itself`);
          else assert.deepEqual(r, { ok: false, code }, String(v));
        }),
      );
      fc.assert(
        fc.property(fc.oneof(fc.boolean(), fc.array(fc.nat(), { maxLength: 2 }), fc.object({ maxDepth: 1 })), (v) => {
          assert.deepEqual(outcome(() => parse(v)), { ok: false, code });
        }),
      );
    }
  });
});
