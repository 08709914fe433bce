/**
 * Request bodies for the HTTP fuzz: url-encoded forms, JSON edge cases (deep nesting, huge
 * numbers, duplicated keys, __proto__), multipart (good and broken), invalid UTF-8, raw bytes;
 * each with the Content-Type that fits it. Also the argument names and the odd values and
 * %-escapes that queries and forms are filled with.
 */
import fc from 'fast-check';
import { hostileBytes, hostileText } from './arbitraries.js';

/** Every argument a route reads. */
export const ARG_NAMES = ['authkey', 'value', 'msg', 'queue', 'count', 'lease', 'wait', 'ttl', 'delay', 'dedup', 'callback', 'batch', 'status', 'policy', 'body', 'max_attempts', 'dead_letter', 'batch_size', 'uniq', 'delayed', 'with_desc'];
export const BAD_ESCAPES = ['%', '%2', '%zz', '%C3', '%C3%28', '%ED%A0%80', '%FF%FE', '%00', '%0d%0a', '%25%', '%E2%80%A8', '%F4%90%80%80', '+%2B+'];
export const ODD_NUMBERS = ['0', '1', '60', '61', '100', '101', '-1', '1e3', '0x10', '99999999999999999999', '1.5', ' 1', 'NaN', '', '١'];

/** A body a route might parse: forms, JSON edge cases, multipart, invalid UTF-8, random bytes. */
export interface Body {
  /** The Content-Type that fits the body. */
  type: string;
  bytes: Buffer;
}

export const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

export function bodyArb(queues: readonly string[]): fc.Arbitrary<Body> {
  const q = fc.constantFrom(...queues);
  const form = fc.oneof(
    fc.tuple(fc.constantFrom(...ARG_NAMES), fc.oneof(hostileText(20), fc.constantFrom(...BAD_ESCAPES, ...queues, ...ODD_NUMBERS))).map(([k, v]) => `${k}=${v}`),
    q.map((name) => `queue=${name}&value=${encodeURIComponent('fuzz \r\n\0 é')}`),
    fc.array(fc.tuple(fc.constantFrom(...ARG_NAMES), hostileText(10).map(encodeURIComponent)), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  ).map((t) => ({ type: FORM, bytes: Buffer.from(t, 'utf8') }));
  const json = fc.oneof(
    q.map((name) => `{"cmd": "add", "queue": "${name}", "value": ${JSON.stringify('fuzz \r\n\0 é')}}`),
    fc.nat({ max: 100_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
    fc.nat({ max: 5_000 }).map((d) => '{"cmd": "add", "queue": "x", "value": ' + '{"a":'.repeat(d) + '1' + '}'.repeat(d) + '}'),
    q.map((name) => `{"cmd": "add", "queue": "${name}", "value": "a", "value": "b", "cmd": "take"}`),
    q.map((name) => `{"__proto__": {"cmd": "add", "isAdmin": true}, "constructor": {"prototype": {"polluted": 1}}, "cmd": "len", "queue": "${name}"}`),
    q.map((name) => `{"cmd": "add", "queue": "${name}", "values": [${'"v",'.repeat(1000)}"v"]}`),
    q.map((name) => `{"cmd": "lease", "queue": "${name}", "lease": 1e309, "count": -0}`),
    fc.constantFrom('["a", 1, null]', '[' + '"x",'.repeat(1001) + '"x"]', '1e999999', '-', '{"cmd": "add"', '\ufeff{}', 'null', '"\\ud800"', '{"cmd": ""}'),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.array(hostileText(10), { minLength: 1, maxLength: 5 }).map((vs) => JSON.stringify(vs)),
  ).map((t) => ({ type: JSON_TYPE, bytes: Buffer.from(t, 'utf8') }));
  const multipart = fc.oneof(
    fc.tuple(fc.constantFrom('value', 'msg', 'queue'), hostileText(20)).map(([n, v]) => `--XyZ\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n--XyZ--\r\n`),
    fc.constantFrom(
      '--XyZ\r\nContent-Disposition: form-data; name="value"; filename="x.bin"\r\n\r\nfile\r\n--XyZ--\r\n',
      '--XyZ\r\nContent-Disposition: form-data; name="value"\r\n\r\nno end',
      '--XyZ\r\n\r\n\r\n--XyZ--\r\n',
      '--XyZ\r\nContent-Disposition: form-data; name="value"\r\nContent-Type: text/plain; charset=utf-16le\r\n\r\n\xff\xfe\r\n--XyZ--\r\n',
      '--XyZ\r\n' + 'Content-Disposition: form-data; name="a"\r\n\r\nb\r\n--XyZ\r\n'.repeat(150) + '--XyZ--\r\n',
    ),
  ).map((t) => ({ type: 'multipart/form-data; boundary=XyZ', bytes: Buffer.from(t, 'utf8') }));
  const invalidUtf8 = fc
    .tuple(fc.constantFrom<[string, string]>([FORM, 'value='], ['text/plain', ''], [JSON_TYPE, '{"cmd": "add", "queue": "x", "value": "']), hostileBytes(20))
    .map(([[type, prefix], b]) => ({ type, bytes: Buffer.concat([Buffer.from(prefix), b, Buffer.from([0xc3, 0x28])]) }));
  const raw = fc.tuple(fc.constantFrom('text/plain', 'application/octet-stream'), fc.oneof(hostileBytes(80), hostileText(40).map((t) => Buffer.from(t, 'utf8')))).map(([type, bytes]) => ({ type, bytes }));
  return fc.oneof({ weight: 3, arbitrary: form }, { weight: 3, arbitrary: json }, multipart, invalidUtf8, raw, fc.constant({ type: FORM, bytes: Buffer.alloc(0) }));
}
