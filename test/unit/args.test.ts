/**
 * http/kit/args.ts: request arguments read as the original's framework did (originals.md A.1.1):
 * blank values dropped, last value wins, control characters → spaces, values trimmed; and
 * strict decoding (bad percent-escapes and invalid UTF-8 refused with typed errors).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanValue, decodeUtf8, parseForm, queryOf } from '../../src/http/kit/args.js';
import { BrokerError } from '../../src/errors.js';

const isCode = (code: string) => (err: unknown) => {
  assert.ok(err instanceof BrokerError, `expected a BrokerError, got ${String(err)}`);
  assert.equal(err.code, code);
  return true;
};

const form = (text: string) => Object.fromEntries(parseForm(text));

describe('cleanValue', () => {
  it('trims surrounding white space', () => {
    assert.equal(cleanValue('  hi\n'), 'hi');
    assert.equal(cleanValue('\t\r\n hi there \r\n'), 'hi there');
  });
  it('turns \\x00-\\x08 and \\x0e-\\x1f into spaces, keeps inner \\t \\n \\r', () => {
    assert.equal(cleanValue('a\u0000b\u0008c\u000ed\u001fe'), 'a b c d e');
    assert.equal(cleanValue('a\tb\nc\rd'), 'a\tb\nc\rd');
  });
  it('control characters at the edges end up trimmed', () => {
    assert.equal(cleanValue('\u0001x\u0002'), 'x');
  });
  it('leaves non-ASCII alone', () => {
    assert.equal(cleanValue(' é€😀 '), 'é€😀');
  });
});

describe('parseForm', () => {
  it('reads name=value pairs', () => {
    assert.deepEqual(form('queue=q&value=v'), { queue: 'q', value: 'v' });
  });
  it('decodes + as space and percent-escapes (UTF-8)', () => {
    assert.deepEqual(form('value=a+b%20c%2Bd%26e%3D%C3%A9'), { value: 'a b c+d&e=é' });
  });
  it('decodes names too', () => {
    assert.deepEqual(form('my+name%21=1'), { 'my name!': '1' });
  });
  it('drops blank values (value= counts as absent)', () => {
    assert.deepEqual(form('value=&queue=q&flag'), { queue: 'q' });
  });
  it('drops values that are blank after trimming', () => {
    assert.deepEqual(form('value=+++&msg=%20%0A'), {});
  });
  it('strips values', () => {
    assert.deepEqual(form('value=%20%20hi%0A'), { value: 'hi' });
  });
  it('last value wins', () => {
    assert.deepEqual(form('value=a&value=b'), { value: 'b' });
  });
  it('a blank repeat does not erase an earlier value', () => {
    assert.deepEqual(form('value=a&value='), { value: 'a' });
  });
  it('skips empty pairs', () => {
    assert.deepEqual(form('&&a=1&&b=2&'), { a: '1', b: '2' });
    assert.deepEqual(form(''), {});
  });
  it('keeps = inside a value', () => {
    assert.deepEqual(form('body={"cmd"%3A"x"}=y'), { body: '{"cmd":"x"}=y' });
  });
  it('merges into an existing map: later (body) values win over earlier (query) ones', () => {
    const args = parseForm('value=query&ttl=5');
    parseForm('value=body', args);
    assert.deepEqual(Object.fromEntries(args), { value: 'body', ttl: '5' });
  });
  it('refuses a malformed percent-escape', () => {
    assert.throws(() => parseForm('value=%zz'), isCode('INVALID_ENCODING'));
    assert.throws(() => parseForm('value=abc%'), isCode('INVALID_ENCODING'));
    assert.throws(() => parseForm('value=%E0%A4%A'), isCode('INVALID_ENCODING'));
  });
  it('refuses percent-escapes that are not UTF-8', () => {
    assert.throws(() => parseForm('value=%FF'), isCode('INVALID_ENCODING'));
    assert.throws(() => parseForm('value=%C3'), isCode('INVALID_ENCODING'));
  });
  it('refuses a malformed name', () => {
    assert.throws(() => parseForm('%zz=1'), isCode('INVALID_ENCODING'));
  });
});

describe('decodeUtf8', () => {
  it('decodes valid UTF-8', () => {
    assert.equal(decodeUtf8(Buffer.from('héllo €😀', 'utf8')), 'héllo €😀');
    assert.equal(decodeUtf8(Buffer.alloc(0)), '');
  });
  it('keeps every byte: NUL, CR LF, surrounding spaces', () => {
    assert.equal(decodeUtf8(Buffer.from(' a\u0000b\r\n ', 'utf8')), ' a\u0000b\r\n ');
  });
  it('keeps a leading byte order mark (bodies are stored byte for byte)', () => {
    assert.equal(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69])), '\ufeffhi');
  });
  it('refuses invalid UTF-8', () => {
    assert.throws(() => decodeUtf8(Buffer.from([0x61, 0xff])), isCode('INVALID_UTF8'));
    assert.throws(() => decodeUtf8(Buffer.from([0xc3])), isCode('INVALID_UTF8'));
    assert.throws(() => decodeUtf8(Buffer.from([0xed, 0xa0, 0x80])), isCode('INVALID_UTF8')); // an encoded surrogate
    assert.throws(() => decodeUtf8(Buffer.from([0xc0, 0xaf])), isCode('INVALID_UTF8')); // overlong
  });
});

describe('queryOf', () => {
  it('returns what follows the first ?', () => {
    assert.equal(queryOf('/q/x?a=1&b=2'), 'a=1&b=2');
    assert.equal(queryOf('/q/x?a=1?b'), 'a=1?b');
  });
  it('is empty without a query', () => {
    assert.equal(queryOf('/q/x'), '');
    assert.equal(queryOf('/q/x?'), '');
  });
});
