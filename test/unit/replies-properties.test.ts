/**
 * Properties of reply shaping: json-text.ts (pyJson, str) and protocols/replies.ts. Every
 * JSON a reply carries parses back to the data it was built from, whatever the strings hold;
 * nothing a client stored can break out of the text/html legacy replies or the HTML pages;
 * every error reply is its catalogue status with `{"error", "code"}`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ERRORS, type ErrorCode } from '../../src/errors.js';
import { pyJson, str, type Json } from '../../src/protocols/json-text.js';
import { replies } from '../../src/protocols/replies.js';
import { anyJsString, hostileText, queueName } from '../fuzz/arbitraries.js';

/** JSON values whose strings are hostile (the default generator's strings are tame). */
const json: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    anyJsString(12),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(anyJsString(6), tie('v'), { maxKeys: 4 }).map((o) => ({ ...o })),
  ),
})).v;

const callback = fc.stringMatching(/^[A-Za-z_$][\w$.]{0,10}$/);
const message = fc.tuple(queueName, fc.integer({ min: 1, max: 1e9 }), anyJsString(40)).map(([q, n, value]) => ({ key: `${q}:${n}`, value }));
const UNSAFE = /[<>&\u2028\u2029]/;

/** The JSONP payload: `cb(x);\r\n` → x. */
function unwrap(body: string, cb: string | undefined): string {
  if (cb === undefined) return body.endsWith('\r\n') ? body.slice(0, -2) : body;
  assert.ok(body.startsWith(`${cb}(`), 'JSONP starts with the callback');
  return body.slice(cb.length + 1, body.lastIndexOf(')'));
}

describe('json-text: properties', () => {
  it('pyJson parses back to what JSON.stringify gives, with no HTML-unsafe character', () => {
    fc.assert(
      fc.property(json, (v) => {
        const text = pyJson(v);
        assert.equal(JSON.stringify(JSON.parse(text)), JSON.stringify(v));
        assert.ok(!UNSAFE.test(text), `unsafe character in ${text}`);
      }),
    );
  });

  it('str is a JSON string literal of exactly its input, including lone surrogates', () => {
    fc.assert(fc.property(anyJsString(60), (s) => assert.equal(JSON.parse(str(s)), s)));
  });

  it('separators are Python\'s: ", " and ": " between items, nothing after [ or {', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.integer(), { minKeys: 1, maxKeys: 5 }), (o) => {
        const expected = '{' + Object.entries(o).map(([k, n]) => `"${k}": ${n}`).join(', ') + '}';
        assert.equal(pyJson({ ...o }), expected);
      }),
    );
  });
});

describe('replies: properties', () => {
  it('single and batch envelopes: CRLF-framed JSON that parses back, JSONP when asked', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), fc.option(callback, { nil: undefined }), (ms, cb) => {
        const one = replies.envelope(ms[0]!, cb);
        assert.equal(one.status, 200);
        assert.ok(one.body.endsWith('\r\n'), 'CRLF');
        assert.deepEqual(JSON.parse(unwrap(one.body, cb)), { count: 0, ...ms[0] });
        const many = replies.envelopes(ms, cb);
        assert.deepEqual(JSON.parse(unwrap(many.body, cb)), ms.map((m) => ({ count: 0, ...m })));
        for (const r of [one, many]) assert.ok(!UNSAFE.test(r.body), 'stored text cannot become markup');
      }),
    );
  });

  it('keys: plain text key (JSONP: a quoted string) and JSON arrays for batches', () => {
    fc.assert(
      fc.property(fc.array(message.map((m) => m.key), { minLength: 1, maxLength: 5 }), fc.option(callback, { nil: undefined }), (keys, cb) => {
        const k = replies.key(keys[0]!, cb);
        if (cb === undefined) assert.equal(k.body, `${keys[0]}\r\n`);
        else assert.equal(JSON.parse(unwrap(k.body, cb)), keys[0]);
        assert.deepEqual(JSON.parse(unwrap(replies.keys(keys, cb).body, cb)), keys);
      }),
    );
  });

  it('every error reply: catalogue status, application/json, {"error", "code"} with any message', () => {
    const codes = Object.keys(ERRORS) as ErrorCode[];
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.option(anyJsString(40), { nil: undefined }), (code, message) => {
        const r = replies.error(code, message);
        assert.equal(r.status, ERRORS[code].status);
        assert.match(r.type ?? '', /^application\/json/);
        assert.deepEqual(JSON.parse(r.body), { error: message ?? ERRORS[code].message, code });
      }),
    );
  });

  it('HTML pages escape every queue name and value: no tag from the data', () => {
    const stats = (queue: string) => ({ queue, len: 1, status: 1 as const, policy: 1 as const, ready: 1, inflight: 0, delayed: 0, dead: 0, consumers: 0, polls: 0 });
    fc.assert(
      fc.property(fc.array(hostileText(20), { maxLength: 4 }), fc.array(message, { maxLength: 3 }), hostileText(20), (names, ms, queue) => {
        const pages = [replies.queueList(names).body, replies.jobPage(stats(queue), ms).body];
        for (const body of pages) {
          // Remove the page's own tags; what is left must hold no markup character.
          const data = body.replace(/<\/?(?:!DOCTYPE html|html|head|meta charset="utf-8"|title|body|h1|p|ul|li|a|a href="[^"<>]*")>/g, '');
          assert.ok(!/[<>]/.test(data), `markup from the data in ${JSON.stringify(body)}`);
        }
      }),
    );
  });

  it('policy, purge, control and stats replies are valid JSON for any queue name', () => {
    fc.assert(
      fc.property(queueName, fc.option(callback, { nil: undefined }), fc.constantFrom<0 | 1>(0, 1), (q, cb, st) => {
        assert.deepEqual(JSON.parse(unwrap(replies.purged(q, st === 1, cb).body, cb)), { queue: q, status: st });
        assert.deepEqual(JSON.parse(replies.control('sqlite', q, st).body), { redis: 'sqlite', queue: q, status: { queue: q, status: st } });
        const p = JSON.parse(unwrap(replies.policy(q, 'broadcast', {}, cb).body, cb)) as Record<string, unknown>;
        assert.equal(p['queue'], q);
      }),
    );
  });
});
