/**
 * Properties of the form readers: http/kit/args.ts (query strings and url-encoded bodies, strict
 * UTF-8) and http/kit/multipart.ts (multipart/form-data fields). Round trips against the
 * platform's own encoders, an oracle for what counts as well-encoded, and no exception other
 * than a BrokerError on arbitrary input.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BrokerError } from '../../src/errors.js';
import { cleanValue, decodeUtf8, parseForm, queryOf } from '../../src/http/kit/args.js';
import { parseMultipart } from '../../src/http/kit/multipart.js';
import { anyJsString, hostileBytes, hostileText } from '../fuzz/arbitraries.js';

function brokerCode(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof BrokerError, `expected a BrokerError, got ${String(err)}`);
    return err.code;
  }
}

/** What the original's framework kept: last non-blank cleaned value of each name. */
function expectedArgs(pairs: [string, string][]): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of pairs) {
    const c = cleanValue(v);
    if (c !== '') m.set(k, c);
  }
  return m;
}

/** Oracle for strict decoding: every % starts a two-hex-digit escape, and each run of escapes
 *  is UTF-8 on its own (a character cannot be half escaped, half raw). */
function wellEncoded(text: string): boolean {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return false;
  for (const run of text.match(/(?:%[0-9A-Fa-f]{2})+/g) ?? []) {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
    if (!Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)) return false;
  }
  return true;
}

describe('form and query arguments: properties', () => {
  it('round trip: URLSearchParams-encoded pairs parse back, blank dropped, last wins, cleaned', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(hostileText(8).filter((k) => k !== ''), hostileText(20)), { maxLength: 8 }), (pairs) => {
        const text = new URLSearchParams(pairs).toString();
        assert.deepEqual(parseForm(text), expectedArgs(pairs));
        // encodeURIComponent (%20 rather than +) reads the same.
        const text2 = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        assert.deepEqual(parseForm(text2), expectedArgs(pairs));
      }),
    );
  });

  it('arbitrary text: either the same as the WHATWG parser, or INVALID_ENCODING when not well encoded', () => {
    const formish = fc.array(fc.oneof(hostileText(6), fc.constantFrom('é', 'a=é', '%', '%2', '%zz', '%C3', '%C3%A9', '%ED%A0%80', '%FF', '%00', '+', '&', '=', '%25')), { maxLength: 10 }).map((p) => p.join(''));
    fc.assert(
      fc.property(formish, (text) => {
        const code = brokerCode(() => parseForm(text));
        if (wellEncoded(text)) {
          assert.equal(code, undefined, `${JSON.stringify(text)} is well encoded`);
          // URLSearchParams drops a leading '?' (a whole query string); a body keeps it: '&' first keeps it for both.
          assert.deepEqual(parseForm(text), expectedArgs([...new URLSearchParams('&' + text)]), JSON.stringify(text));
        } else assert.equal(code, 'INVALID_ENCODING', JSON.stringify(text));
      }),
    );
  });

  it('values never keep \\x00-\\x08 or \\x0e-\\x1f, nor surrounding white space; cleaning is idempotent', () => {
    fc.assert(
      fc.property(anyJsString(40), (s) => {
        const c = cleanValue(s);
        // eslint-disable-next-line no-control-regex -- the characters cleanValue must replace
        assert.ok(!/[\x00-\x08\x0e-\x1f]/.test(c), `control character left in ${JSON.stringify(c)}`);
        assert.equal(c, c.trim());
        assert.equal(cleanValue(c), c);
      }),
    );
  });

  it('strict UTF-8: a body decodes iff it is UTF-8, and then byte for byte (BOM kept)', () => {
    fc.assert(
      fc.property(hostileBytes(64), (bytes) => {
        const valid = Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
        const code = brokerCode(() => decodeUtf8(bytes));
        if (valid) assert.ok(Buffer.from(decodeUtf8(bytes), 'utf8').equals(bytes), 'round trip');
        else assert.equal(code, 'INVALID_UTF8');
      }),
    );
  });

  it('queryOf takes everything after the first ?', () => {
    fc.assert(
      fc.property(hostileText(20).map((p) => '/' + p.replace(/\?/g, '')), hostileText(20), (path, q) => {
        assert.equal(queryOf(path), '');
        assert.equal(queryOf(`${path}?${q}`), q);
      }),
    );
  });
});

/** A multipart body as curl -F builds it. */
function multipart(boundary: string, fields: [string, string][]): Buffer {
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return Buffer.from(parts.join('') + `--${boundary}--\r\n`, 'utf8');
}

const fieldName = fc.string({ unit: fc.constantFrom(...'abcxyz_-09é'), minLength: 1, maxLength: 10 });
const boundary = fc.string({ unit: fc.constantFrom(...'abcXYZ0189-_'), minLength: 1, maxLength: 40 }).map((b) => `----${b}`);

describe('multipart/form-data fields: properties', () => {
  it('round trip: fields come back cleaned, blank dropped, last wins', async () => {
    await fc.assert(
      fc.asyncProperty(boundary, fc.array(fc.tuple(fieldName, hostileText(30)), { maxLength: 6 }), async (b, fields) => {
        // A value holding the boundary line would end its part: that is the sender's problem.
        fc.pre(fields.every(([, v]) => !v.includes(`--${b}`)));
        const headers = { 'content-type': `multipart/form-data; boundary=${b}` };
        assert.deepEqual(await parseMultipart(headers, multipart(b, fields), 1 << 20), expectedArgs(fields));
      }),
    );
  });

  it('field values are strict UTF-8: invalid bytes are refused (INVALID_UTF8), valid ones kept exactly', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBytes(40), async (bytes) => {
        const body = Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name="v"\r\n\r\nx'), bytes, Buffer.from('x\r\n--b--\r\n')]);
        const valid = Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
        // A CRLF followed by the boundary would end the part early: such bytes are a different body.
        fc.pre(!bytes.includes('\r\n--b'));
        const parsed = parseMultipart({ 'content-type': 'multipart/form-data; boundary=b' }, body, 1 << 20);
        if (valid) assert.deepEqual(await parsed, expectedArgs([['v', `x${bytes.toString('utf8')}x`]]));
        else await assert.rejects(parsed, (err: unknown) => err instanceof BrokerError && err.code === 'INVALID_UTF8');
      }),
    );
  });

  it('arbitrary bodies and headers settle: fields, or a BrokerError; never another exception, never a hang', async () => {
    const contentType = fc.oneof(
      boundary.map((b) => `multipart/form-data; boundary=${b}`),
      fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary="a b"', 'multipart/form-data; boundary=x; boundary=y', 'text/plain'),
      hostileText(20),
    );
    const body = fc.oneof(
      hostileBytes(200),
      fc.tuple(boundary, fc.array(fc.tuple(fieldName, hostileText(20)), { maxLength: 3 }), fc.nat()).map(([b, f, cut]) => {
        const whole = multipart(b, f);
        return whole.subarray(0, cut % (whole.length + 1));
      }),
      fc.constantFrom(
        '--x\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nfile\r\n--x--\r\n',
        '--x\r\nContent-Disposition: form-data; name="v"\r\nContent-Transfer-Encoding: base64\r\n\r\n////\r\n--x--\r\n',
        '--x\r\nContent-Disposition: form-data; name*=utf-8\'\'%FF\r\n\r\nv\r\n--x--\r\n',
        '--x\r\n\r\n\r\n--x--\r\n',
      ).map((s) => Buffer.from(s)),
    );
    await fc.assert(
      fc.asyncProperty(contentType, body, async (ct, b) => {
        const settled = await Promise.race([
          parseMultipart({ 'content-type': ct }, b, 64).then(
            (m) => ({ ok: m instanceof Map }),
            (err: unknown) => ({ ok: err instanceof BrokerError, err }),
          ),
          new Promise<{ ok: false; err: string }>((resolve) => setTimeout(() => resolve({ ok: false, err: 'did not settle in 2 s' }), 2000).unref()),
        ]);
        assert.ok(settled.ok, `content-type ${JSON.stringify(ct)}, body ${JSON.stringify(b.toString('latin1'))}: ${String((settled as { err?: unknown }).err)}`);
      }),
      { numRuns: 300 },
    );
  });
});
