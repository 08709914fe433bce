/**
 * The malformed requests of the HTTP fuzz, as fast-check arbitraries (so a seed replays them):
 * bad methods, absurd paths, bad %-encoding, odd and overlong headers, wrong Content-Length,
 * broken chunked encoding, truncated bodies, invalid UTF-8, JSON edge cases, bad multipart,
 * WebSocket handshakes and frames gone wrong (ws-cases.ts), pipelined requests, and plain
 * random bytes; bodies come from bodies.ts. Requests only ever name the queues given (the
 * witness queues are never among them).
 */
import fc from 'fast-check';
import { cut, type RawCase } from './raw-case.js';
import { hostileBytes, hostileText } from './arbitraries.js';
import { ARG_NAMES, BAD_ESCAPES, ODD_NUMBERS, bodyArb } from './bodies.js';
import { wsCase } from './ws-cases.js';

const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'HEAD', 'OPTIONS', 'PATCH'];
const ODD_METHODS = ['get', 'G ET', 'FOO', 'CONNECT', 'TRACE', 'PRI', 'M-SEARCH', 'PROPFIND', 'X'.repeat(300), '', 'GET\0', 'PO\u00c9ST', 'DELETE DELETE'];
const ROUTES = [
  '/', '/q/', '/q/{q}', '/q/{q}/{r}', '/q/{q}/{r}/nack', '/q/{q}/{r}/extend', '/q/{q}/redrive', '/queue', '/c/{q}', '/sse/{q}', '/ws/{q}',
  '/p/{q}', '/control/', '/control/{q}', '/stats/', '/stats/{q}', '/j/{q}', '/health', '/ready', '/metrics', '/dashboard/', '/dashboard/api/queues/{q}',
  '/presque/q/{q}', '/presque/qb/{q}', '/presque/j/{q}', '/presque/status/', '/presque/status/{q}', '/presque/control/{q}', '/presque/w/{q}', '/static/help.html',
];
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=XyZ',
  'multipart/form-data', 'application/json; charset=latin1', 'text/plain; charset=utf-16', 'application/xml', 'APPLICATION/JSON', ';;;', 'application/x-www-form-urlencoded\0',
];

/** A path: a route with its placeholders filled (validly or not) and a query string. */
function pathArb(queues: readonly string[]): fc.Arbitrary<string> {
  const queue = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...queues) },
    fc.constantFrom('', 'QUEUESET', 'AUTHKEY', 'queuestat', '..', '.', 'a'.repeat(129), 'a'.repeat(600), 'a/b', '%2e%2e', '%00', 'x%20y', 'é', '__proto__', 'constructor'),
    fc.constantFrom(...BAD_ESCAPES),
    hostileText(10).map(encodeURIComponent),
  );
  const receipt = fc.oneof(fc.constantFrom('1.abcdefghij', '0.abcdefghij', '1.abc', '99999999999999999.abcdefghij', 'x', '1.' + 'a'.repeat(50), '%ZZ'), hostileText(8).map(encodeURIComponent));
  const route = fc.tuple(fc.constantFrom(...ROUTES), queue, receipt).map(([r, q, rc]) => r.replace('{q}', q).replace('{r}', rc));
  const query = fc.array(
    fc.tuple(
      fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...ARG_NAMES) }, fc.constantFrom(...BAD_ESCAPES)),
      fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ODD_NUMBERS) }, { weight: 2, arbitrary: fc.constantFrom(...queues) }, fc.constantFrom(...BAD_ESCAPES), { weight: 2, arbitrary: hostileText(12).map(encodeURIComponent) }),
    ),
    { maxLength: 4 },
  ).map((pairs) => (pairs.length === 0 ? '' : '?' + pairs.map(([k, v]) => `${k}=${v}`).join('&')));
  return fc.tuple(route, query).map(([p, q]) => p + q);
}

/** Paths no client should send: traversal, absolute form, raw bytes, 20 kB. */
const absurdPathArb = fc.oneof(
  fc.constantFrom('*', '//', '/../../etc/passwd', '/q//x', 'http://127.0.0.1/q/x', 'no-slash', '/%', '/q/%zz', '/\0', '/q/x#frag', '/' + 'x'.repeat(20_000), '/q/' + '%41'.repeat(3000)),
  hostileBytes(30).map((b) => '/' + b.toString('latin1')),
);

/** How the body is framed: right, wrong, or lying. */
type Framing = 'length' | 'too-long' | 'too-short' | 'chunked' | 'bad-chunked' | 'none' | 'both' | 'negative' | 'garbage-length' | 'two-lengths' | 'huge-length';

function framed(body: Buffer, framing: Framing): { headers: string[]; payload: Buffer } {
  switch (framing) {
    case 'length':
      return { headers: [`Content-Length: ${body.length}`], payload: body };
    case 'too-long':
      return { headers: [`Content-Length: ${body.length + 10}`], payload: body };
    case 'too-short':
      return { headers: [`Content-Length: ${Math.floor(body.length / 2)}`], payload: body };
    case 'chunked':
      return { headers: ['Transfer-Encoding: chunked'], payload: Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) };
    case 'bad-chunked':
      return { headers: ['Transfer-Encoding: chunked'], payload: Buffer.concat([Buffer.from('zz\r\n'), body, Buffer.from('\r\n-1\r\n')]) };
    case 'none':
      return { headers: [], payload: body };
    case 'both':
      return { headers: [`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked'], payload: Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) };
    case 'negative':
      return { headers: ['Content-Length: -1'], payload: body };
    case 'garbage-length':
      return { headers: ['Content-Length: 1e3'], payload: body };
    case 'two-lengths':
      return { headers: [`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`], payload: body };
    case 'huge-length':
      return { headers: ['Content-Length: 99999999999999999999'], payload: body };
  }
}

/** Extra headers: odd, overlong, repeated, folded, or carrying control bytes. */
const extraHeaders = fc.array(
  fc.oneof(
    fc.constantFrom(
      'Connection: close', 'Connection: keep-alive', 'Expect: 100-continue', 'Accept: application/json', 'Accept: text/event-stream', 'Transfer-Encoding: gzip',
      'Content-Encoding: gzip', 'X-Forwarded-For: 1.2.3.4, ::1, garbage', 'Authorization: Basic !!!', 'Authorization: Bearer', 'Cookie: auth=%zz; auth=x',
      'Upgrade: h2c', 'Host: a', 'Host:', 'no colon header', ' leading-space: x', 'Bad Name: x', 'X-Folded: a\r\n b', 'X-Nul: a\0b', 'X-Latin: \xe9\xff',
      'Range: bytes=0-1', 'If-None-Match: *', 'X-HTTP-Method-Override: DELETE',
    ),
    fc.nat({ max: 40_000 }).map((n) => `X-Long: ${'a'.repeat(n)}`),
    fc.nat({ max: 300 }).map((n) => Array.from({ length: n }, (_, i) => `X-Many-${i}: ${i}`).join('\r\n')),
    hostileText(20).map((t) => `X-Hostile: ${t.replace(/\r\n/g, '')}`),
  ),
  { maxLength: 4 },
);

const basic = (credentials: string | Buffer) => `Authorization: Basic ${Buffer.from(credentials).toString('base64')}`;

/** Credentials, good and bad, for a broker with an ACL file (test/fuzz/http-fuzz.test.ts writes it). */
const authHeader = fc.oneof(
  fc.constantFrom(
    basic('producer:s3cret'), basic('root:t0p-s3cret'), basic('producer:'), basic(':'), basic('producer:wrong'), basic('root'), 'Authorization: Basic',
    'Authorization: Basic ====', 'Authorization: Basic ' + 'A'.repeat(5000), 'Authorization: Bearer', 'Authorization: Bearer ' + 'k'.repeat(43), 'Authorization: Digest x',
    'Cookie: auth=producer:s3cret', 'Cookie: auth=root:t0p-s3cret', 'Cookie: auth=%ff%zz', 'Cookie: auth=', 'Cookie: auth=a; auth=b; =; ;;', 'Authorization: basic cm9vdDp0MHAtczNjcmV0',
  ),
  hostileBytes(30).map((b) => basic(b)),
  hostileText(20).map((t) => `Authorization: Bearer ${t.replace(/[\r\n]/g, '')}`),
);

/** The one thing a request gets wrong (most get one thing wrong, so the rest reaches the routes). */
type Flaw = 'none' | 'method' | 'path' | 'version' | 'content-type' | 'headers' | 'framing' | 'truncated' | 'bare-lf' | 'slow';
const FLAWS: [Flaw, number][] = [['none', 6], ['method', 1], ['path', 1], ['version', 1], ['content-type', 1], ['headers', 2], ['framing', 2], ['truncated', 1], ['bare-lf', 1], ['slow', 1]];

/** One HTTP request with one flaw (or none: the route's own parsers get the hostile content). */
function httpCase(queues: readonly string[]): fc.Arbitrary<RawCase> {
  const badFraming = fc.constantFrom<Framing>('too-long', 'too-short', 'bad-chunked', 'none', 'both', 'negative', 'garbage-length', 'two-lengths', 'huge-length');
  return fc
    .record({
      flaw: fc.oneof(...FLAWS.map(([f, weight]) => ({ weight, arbitrary: fc.constant(f) }))),
      method: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('GET', 'POST') }, fc.constantFrom(...METHODS)),
      oddMethod: fc.constantFrom(...ODD_METHODS),
      path: pathArb(queues),
      absurdPath: absurdPathArb,
      oddVersion: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', 'HTTP/9', 'http/1.1', ''),
      oddType: fc.constantFrom(...CONTENT_TYPES),
      body: fc.option(bodyArb(queues), { freq: 3 }),
      chunked: fc.boolean(),
      badFraming,
      headers: extraHeaders,
      auth: fc.option(authHeader, { freq: 2 }),
      truncateAt: fc.nat(),
      cuts: fc.array(fc.nat(), { maxLength: 4 }),
      gapMs: fc.integer({ min: 5, max: 40 }),
      end: fc.boolean(),
    })
    .map((r) => {
      const good: Framing = r.chunked ? 'chunked' : 'length';
      const framing = r.flaw === 'framing' ? r.badFraming : good;
      const { headers: lengthHeaders, payload } = r.body === null ? { headers: [], payload: Buffer.alloc(0) } : framed(r.body.bytes, framing);
      const method = r.flaw === 'method' ? r.oddMethod : r.method;
      const path = r.flaw === 'path' ? r.absurdPath : r.path;
      const type = r.flaw === 'content-type' ? r.oddType : r.body?.type;
      const head = [
        `${method} ${path} ${r.flaw === 'version' ? r.oddVersion : 'HTTP/1.1'}`,
        'Host: 127.0.0.1',
        ...(type === undefined ? [] : [`Content-Type: ${type}`]),
        ...lengthHeaders,
        ...(r.auth === null ? [] : [r.auth]),
        ...(r.flaw === 'headers' ? r.headers : []),
      ];
      const eol = r.flaw === 'bare-lf' ? '\n' : '\r\n';
      let bytes = Buffer.concat([Buffer.from(head.join(eol) + eol + eol, 'latin1'), payload]);
      if (r.flaw === 'truncated') bytes = bytes.subarray(0, r.truncateAt % bytes.length);
      const label = `http [${r.flaw}] ${method.slice(0, 20)} ${path.slice(0, 80)}${r.body ? ` (${type}, ${framing})` : ''}`;
      const pieces = r.flaw === 'slow' ? cut(bytes, r.cuts) : [bytes];
      return { kind: label, pieces, gapMs: r.flaw === 'slow' ? r.gapMs : 0, end: r.end, method, path, waitAll: r.flaw === 'framing' || r.flaw === 'bare-lf' };
    });
}

/** Several requests written back to back on one connection (HTTP/1.1 pipelining), flawed or not. */
function pipelined(queues: readonly string[]): fc.Arbitrary<RawCase> {
  return fc.array(httpCase(queues), { minLength: 2, maxLength: 4 }).map((cs) => ({
    kind: `pipelined: ${cs.map((c) => c.kind.slice(0, 60)).join(' | ')}`,
    pieces: [Buffer.concat(cs.flatMap((c) => c.pieces))],
    gapMs: 0,
    end: cs.at(-1)!.end,
    waitAll: true,
    // A HEAD reply announces a length it does not send: then no reply's body can be told apart.
    ...(cs.some((c) => c.method === 'HEAD') ? { method: 'HEAD' } : {}),
    // Replies are not matched to requests: a presque route among them exempts them all from the catalogue's shape.
    ...(cs.some((c) => c.path?.startsWith('/presque/')) ? { path: '/presque/' } : {}),
  }));
}

/** Every kind of case, weighted towards HTTP requests. */
export function caseArb(queues: readonly string[]): fc.Arbitrary<RawCase> {
  return fc.oneof(
    { weight: 14, arbitrary: httpCase(queues) },
    { weight: 2, arbitrary: pipelined(queues) },
    { weight: 3, arbitrary: wsCase(queues) },
    { weight: 1, arbitrary: hostileBytes(300).map((b) => ({ kind: 'random bytes', pieces: [b], gapMs: 0, end: true })) },
  );
}
