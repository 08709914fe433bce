/**
 * protocols/json-text.ts: JSON text as the original's Python json.dumps wrote it (", " and
 * ": " separators), HTML-safe (<, >, & and the JS line separators escaped), and always equal,
 * parsed, to what JSON.stringify would give.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pyJson, str, type Json } from '../../src/protocols/json-text.js';

describe('str', () => {
  it('quotes plain strings like JSON.stringify', () => {
    assert.equal(str(''), '""');
    assert.equal(str('abc'), '"abc"');
    assert.equal(str('say "hi"\\'), '"say \\"hi\\"\\\\"');
  });
  it('escapes control characters as JSON does', () => {
    assert.equal(str('a\r\nb\tc\u0000\u001f'), '"a\\r\\nb\\tc\\u0000\\u001f"');
  });
  it('escapes <, > and & as \\u003c, \\u003e, \\u0026', () => {
    assert.equal(str('</script><b>&amp;'), '"\\u003c/script\\u003e\\u003cb\\u003e\\u0026amp;"');
  });
  it('escapes U+2028 and U+2029 (line terminators in JavaScript)', () => {
    assert.equal(str('a\u2028b\u2029c'), '"a\\u2028b\\u2029c"');
  });
  it('keeps other non-ASCII characters as they are', () => {
    assert.equal(str('é€😀日本'), '"é€😀日本"');
  });
  it('escapes lone surrogates (well-formed JSON.stringify)', () => {
    assert.equal(str('\ud800'), '"\\ud800"');
  });
  it('parses back to the same string, whatever the input', () => {
    const samples = ['', ' ', '<>&', '\u2028\u2029', 'a"b\\c', '\u0000\u0007\u007f', 'é€😀', '\r\n', 'x'.repeat(1000), '{"a": 1}', '\ud800x'];
    for (const s of samples) assert.equal(JSON.parse(str(s)), s, JSON.stringify(s));
  });
});

describe('pyJson', () => {
  it('scalars', () => {
    assert.equal(pyJson(null), 'null');
    assert.equal(pyJson(true), 'true');
    assert.equal(pyJson(false), 'false');
    assert.equal(pyJson(0), '0');
    assert.equal(pyJson(-12.5), '-12.5');
    assert.equal(pyJson('s'), '"s"');
  });
  it('non-finite numbers become null', () => {
    assert.equal(pyJson(NaN), 'null');
    assert.equal(pyJson(Infinity), 'null');
    assert.equal(pyJson(-Infinity), 'null');
  });
  it('Python separators: ", " between items and ": " after keys', () => {
    assert.equal(pyJson({ a: 1, b: [1, 2, 'x'], c: { d: null } }), '{"a": 1, "b": [1, 2, "x"], "c": {"d": null}}');
  });
  it('empty containers', () => {
    assert.equal(pyJson({}), '{}');
    assert.equal(pyJson([]), '[]');
    assert.equal(pyJson({ a: [], b: {} }), '{"a": [], "b": {}}');
  });
  it('keeps key insertion order (not alphabetical)', () => {
    assert.equal(pyJson({ count: 0, key: 'q:1', value: 'v' }), '{"count": 0, "key": "q:1", "value": "v"}');
    assert.equal(pyJson({ z: 1, a: 2 }), '{"z": 1, "a": 2}');
  });
  it('drops undefined fields', () => {
    assert.equal(pyJson({ a: undefined, b: 1, c: undefined }), '{"b": 1}');
    assert.equal(pyJson({ a: undefined }), '{}');
  });
  it('escapes keys as well as values', () => {
    assert.equal(pyJson({ '<k>': '&' }), '{"\\u003ck\\u003e": "\\u0026"}');
  });
  it('parsed, equals JSON.stringify of the same value', () => {
    const samples: Json[] = [
      { queue: 'q', value: '<script>alert(1)</script>', n: 3, ok: true, none: null, list: ['a', 1, false, null, { x: 'y' }] },
      [[], [[]], {}, ''],
      { 'é': '😀', '\u2028': '\u2029', nested: { deep: { deeper: [1.5, -0, 1e21] } } },
    ];
    for (const v of samples) assert.deepEqual(JSON.parse(pyJson(v)), JSON.parse(JSON.stringify(v)));
  });
  it('never emits a raw <, > or & (safe inside text/html replies)', () => {
    const text = pyJson({ '<a>': ['</script>', '&lt;', { '>': '<' }] });
    assert.doesNotMatch(text, /[<>&]/);
  });
});
