/**
 * Golden tests for protocols/replies.ts: every reply shape pinned byte for byte (status,
 * content type, body, headers). The legacy framing follows originals.md A.3/A.4, fixed where
 * SPEC.md says so (quoted JSONP keys, JSON /stats/ JSONP, 204 without a body, HTML-safe JSON).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { replies, TYPES, type Reply } from '../../src/protocols/replies.js';
import { ERRORS, type ErrorCode } from '../../src/errors.js';
import type { QueueStats } from '../../src/wire.js';
import { pyJson, type Json } from '../../src/protocols/json-text.js';

const LEGACY = 'text/html; charset=UTF-8';
const JSON_T = 'application/json; charset=utf-8';
const JS = 'application/javascript; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

const ok = (type: string, body: string): Reply => ({ status: 200, type, body });

const stats = (queue: string, over: Partial<QueueStats> = {}): QueueStats => ({
  queue, len: 2, status: 1, policy: 1, ready: 2, inflight: 0, delayed: 0, dead: 0, consumers: 0, polls: 0, ...over,
});
const STATS_FIELDS = '"len": 2, "status": 1, "policy": 1, "ready": 2, "inflight": 0, "delayed": 0, "dead": 0, "consumers": 0, "polls": 0';

describe('replies: content types', () => {
  it('names the five content types exactly', () => {
    assert.deepEqual({ ...TYPES }, { legacy: LEGACY, json: JSON_T, js: JS, html: HTML, xml: 'text/xml; charset=utf-8' });
  });
  it('xmlrpc: the library\'s methodResponse as text/xml, always 200 (faults included)', () => {
    assert.deepEqual(replies.xmlrpc('<methodResponse/>'), ok('text/xml; charset=utf-8', '<methodResponse/>'));
  });
});

describe('replies.key / keys', () => {
  it('key: plain text key + CRLF, legacy text/html', () => {
    assert.deepEqual(replies.key('q:1'), ok(LEGACY, 'q:1\r\n'));
  });
  it('key with callback: the key is quoted (valid JavaScript) and the type is application/javascript', () => {
    assert.deepEqual(replies.key('q:1', 'cb'), ok(JS, 'cb("q:1");\r\n'));
  });
  it('keys: JSON array with Python separators + CRLF, application/json', () => {
    assert.deepEqual(replies.keys(['q:1', 'q:2']), ok(JSON_T, '["q:1", "q:2"]\r\n'));
  });
  it('keys with callback', () => {
    assert.deepEqual(replies.keys(['q:1'], 'my.cb'), ok(JS, 'my.cb(["q:1"]);\r\n'));
  });
});

describe('replies.envelope / envelopes', () => {
  it('envelope: count, key, value in that order, CRLF, legacy type', () => {
    assert.deepEqual(replies.envelope({ key: 'q:1', value: 'v' }), ok(LEGACY, '{"count": 0, "key": "q:1", "value": "v"}\r\n'));
  });
  it('envelope with callback', () => {
    assert.deepEqual(replies.envelope({ key: 'q:1', value: 'v' }, 'cb'), ok(JS, 'cb({"count": 0, "key": "q:1", "value": "v"});\r\n'));
  });
  it('values are always strings, never turned into numbers (R28 fixed)', () => {
    assert.equal(replies.envelope({ key: 'q:7', value: '007' }).body, '{"count": 0, "key": "q:7", "value": "007"}\r\n');
  });
  it('escapes <, >, & so a stored <script> never renders as markup', () => {
    const r = replies.envelope({ key: 'q:1', value: '<script>alert("x&y")</script>' });
    assert.equal(r.body, '{"count": 0, "key": "q:1", "value": "\\u003cscript\\u003ealert(\\"x\\u0026y\\")\\u003c/script\\u003e"}\r\n');
    assert.equal(JSON.parse(r.body).value, '<script>alert("x&y")</script>');
  });
  it('keeps control characters JSON-escaped and non-ASCII as is', () => {
    const r = replies.envelope({ key: 'q:1', value: ' a\r\nb\t\u0000é€😀\u2028 ' });
    assert.equal(r.body, '{"count": 0, "key": "q:1", "value": " a\\r\\nb\\t\\u0000é€😀\\u2028 "}\r\n');
  });
  it('envelopes: JSON array of envelopes, application/json, CRLF', () => {
    const r = replies.envelopes([{ key: 'q:1', value: 'a' }, { key: 'q:2', value: 'b' }]);
    assert.deepEqual(r, ok(JSON_T, '[{"count": 0, "key": "q:1", "value": "a"}, {"count": 0, "key": "q:2", "value": "b"}]\r\n'));
  });
  it('envelopes with callback', () => {
    assert.deepEqual(replies.envelopes([{ key: 'q:1', value: 'a' }], 'cb'), ok(JS, 'cb([{"count": 0, "key": "q:1", "value": "a"}]);\r\n'));
  });
});

describe('replies.noContent', () => {
  it('204 with an empty body and no headers', () => {
    assert.deepEqual(replies.noContent(false), { status: 204, body: '' });
  });
  it('stopped: 204, empty body, X-RestMQ-Status: stopped', () => {
    assert.deepEqual(replies.noContent(true), { status: 204, body: '', headers: { 'x-restmq-status': 'stopped' } });
  });
});

describe('replies.purged', () => {
  it('status 1 when something was pending', () => {
    assert.deepEqual(replies.purged('q', true), ok(LEGACY, '{"queue": "q", "status": 1}\r\n'));
  });
  it('status 0 otherwise', () => {
    assert.deepEqual(replies.purged('q', false), ok(LEGACY, '{"queue": "q", "status": 0}\r\n'));
  });
  it('JSONP', () => {
    assert.deepEqual(replies.purged('q', false, 'cb'), ok(JS, 'cb({"queue": "q", "status": 0});\r\n'));
  });
});

describe('replies.policy / policySet', () => {
  it('policy with settings adds them after the original fields', () => {
    assert.deepEqual(
      replies.policy('q', 'broadcast', { leaseSeconds: 30, maxAttempts: 3, deadLetter: 'q.dlq' }),
      ok(LEGACY, '{"queue": "q", "value": "broadcast", "lease": 30, "max_attempts": 3, "dead_letter": "q.dlq"}\r\n'),
    );
  });
  it('policy: {"queue", "value"} + CRLF', () => {
    assert.deepEqual(replies.policy('q', 'broadcast', {}), ok(LEGACY, '{"queue": "q", "value": "broadcast"}\r\n'));
    assert.deepEqual(replies.policy('q', 'roundrobin', {}, 'cb'), ok(JS, 'cb({"queue": "q", "value": "roundrobin"});\r\n'));
  });
  it('policySet OK: the raw OK + CRLF', () => {
    assert.deepEqual(replies.policySet(true), ok(LEGACY, 'OK\r\n'));
  });
  it('policySet OK with callback: quoted', () => {
    assert.deepEqual(replies.policySet(true, 'cb'), ok(JS, 'cb("OK");\r\n'));
  });
  it('policySet unknown policy: null + CRLF (200, as the original)', () => {
    assert.deepEqual(replies.policySet(false), ok(LEGACY, 'null\r\n'));
    assert.deepEqual(replies.policySet(false, 'cb'), ok(JS, 'cb(null);\r\n'));
  });
});

describe('replies.control / controlAll / controlSet', () => {
  it('control: nested status, application/json, CRLF', () => {
    assert.deepEqual(replies.control('sqlite', 'q', 1), ok(JSON_T, '{"redis": "sqlite", "queue": "q", "status": {"queue": "q", "status": 1}}\r\n'));
    assert.deepEqual(replies.control('redis', 'q', 0), ok(JSON_T, '{"redis": "redis", "queue": "q", "status": {"queue": "q", "status": 0}}\r\n'));
  });
  it('controlAll: every queue by name, count', () => {
    assert.deepEqual(
      replies.controlAll('memory', [['a', 1], ['b', 0]]),
      ok(JSON_T, '{"redis": "memory", "queues": {"a": {"queue": "a", "status": 1}, "b": {"queue": "b", "status": 0}}, "count": 2}\r\n'),
    );
  });
  it('controlAll: a queue named __proto__ or constructor is listed like any other', () => {
    assert.deepEqual(
      replies.controlAll('memory', [['__proto__', 1], ['constructor', 0]]),
      ok(JSON_T, '{"redis": "memory", "queues": {"__proto__": {"queue": "__proto__", "status": 1}, "constructor": {"queue": "constructor", "status": 0}}, "count": 2}\r\n'),
    );
  });
  it('controlAll with no queue', () => {
    assert.deepEqual(replies.controlAll('memory', []), ok(JSON_T, '{"redis": "memory", "queues": {}, "count": 0}\r\n'));
  });
  it('controlSet start/stop: {"stat": {...}} + CRLF, legacy type', () => {
    assert.deepEqual(replies.controlSet('q', 1), ok(LEGACY, '{"stat": {"queue": "q", "status": 1}}\r\n'));
    assert.deepEqual(replies.controlSet('q', 0), ok(LEGACY, '{"stat": {"queue": "q", "status": 0}}\r\n'));
  });
  it('controlSet invalid: the original text, None when missing', () => {
    assert.deepEqual(replies.controlSet('q', { invalid: 'pause' }), ok(LEGACY, '{"stat": "invalid status: pause"}\r\n'));
    assert.deepEqual(replies.controlSet('q', { invalid: null }), ok(LEGACY, '{"stat": "invalid status: None"}\r\n'));
  });
  it('controlSet JSONP: cb(x) + CRLF without a semicolon, as the original', () => {
    assert.deepEqual(replies.controlSet('q', 0, 'cb'), ok(JS, 'cb({"stat": {"queue": "q", "status": 0}})\r\n'));
  });
});

describe('replies.queueStats / allStats', () => {
  it('queueStats: JSON, no CRLF', () => {
    assert.deepEqual(replies.queueStats('sqlite', stats('q')), ok(JSON_T, `{"redis": "sqlite", "queue": "q", ${STATS_FIELDS}}`));
  });
  it('queueStats JSONP: cb(json), no semicolon, no CRLF', () => {
    assert.deepEqual(replies.queueStats('sqlite', stats('q'), 'cb'), ok(JS, `cb({"redis": "sqlite", "queue": "q", ${STATS_FIELDS}})`));
  });
  it('allStats: queues by name with name + fields, then redis and count; no CRLF', () => {
    const r = replies.allStats('redis', [stats('a'), stats('b', { status: 0, policy: 2 })]);
    assert.deepEqual(
      r,
      ok(JSON_T, `{"queues": {"a": {"name": "a", ${STATS_FIELDS}}, "b": {"name": "b", "len": 2, "status": 0, "policy": 2, "ready": 2, "inflight": 0, "delayed": 0, "dead": 0, "consumers": 0, "polls": 0}}, "redis": "redis", "count": 2}`),
    );
  });
  it('allStats: a queue named __proto__ is listed like any other', () => {
    const r = replies.allStats('redis', [stats('__proto__'), stats('a')]);
    assert.deepEqual(r, ok(JSON_T, `{"queues": {"__proto__": {"name": "__proto__", ${STATS_FIELDS}}, "a": {"name": "a", ${STATS_FIELDS}}}, "redis": "redis", "count": 2}`));
  });
  it('allStats JSONP is JSON (the original sent a Python repr)', () => {
    assert.deepEqual(replies.allStats('memory', [], 'cb'), ok(JS, 'cb({"queues": {}, "redis": "memory", "count": 0})'));
  });
  it('allStatsChunks: in several pieces, the text of the whole object, keys in JS object order', () => {
    // Index-like names sort first in a JS object; a repeated name keeps its first place and last value.
    const names = ['b', '10', 'a.dead', '2', '01', '4294967295', '0', 'b', ...Array.from({ length: 2500 }, (_, i) => `q${i}`)];
    const list = names.map((n, i) => stats(n, { len: i }));
    const queues: Record<string, Json> = {};
    for (const s of list) queues[s.queue] = { name: s.queue, ...(({ queue: _q, ...rest }) => rest)(s) };
    for (const callback of [undefined, 'cb']) {
      const r = replies.allStatsChunks('sqlite', list, callback);
      const chunks = [...r.chunks];
      assert.ok(chunks.length >= 3, `sent in pieces (${chunks.length})`);
      const json = pyJson({ queues, redis: 'sqlite', count: list.length });
      assert.equal(chunks.join(''), callback ? `cb(${json})` : json);
      assert.equal(r.type, callback ? JS : JSON_T);
      assert.deepEqual(replies.allStats('sqlite', list, callback), ok(r.type, chunks.join('')));
    }
  });
});

describe('replies.allStatsStream', () => {
  it('the text of allStats, each page of names read once, in order, as the stream is pulled', async () => {
    const names = ['b', '10', 'a.dead', '2', '01', '4294967295', '0', 'b', ...Array.from({ length: 2500 }, (_, i) => `q${i}`)];
    const byName = new Map(names.map((n, i) => [n, stats(n, { len: i })]));
    for (const callback of [undefined, 'cb']) {
      const pages: string[][] = [];
      const r = replies.allStatsStream('sqlite', names, async (some) => {
        pages.push([...some]);
        return some.map((n) => byName.get(n)!);
      }, callback);
      const it = (r.chunks as AsyncIterable<string>)[Symbol.asyncIterator]();
      assert.equal((await it.next()).value, callback ? 'cb({"queues": {' : '{"queues": {');
      assert.equal(pages.length, 0, 'nothing read before the opening is sent');
      const chunks = [callback ? 'cb({"queues": {' : '{"queues": {'];
      for (let c = await it.next(); !c.done; c = await it.next()) chunks.push(c.value);
      assert.ok(pages.every((p) => p.length <= 1000), 'pages of at most 1,000');
      assert.deepEqual(pages.flat(), ['0', '2', '10', 'b', 'a.dead', '01', '4294967295', ...Array.from({ length: 2500 }, (_, i) => `q${i}`)],
        'each name once, index-like names first');
      // A repeated name is read once: its entry is what the store says now, the count is the list's.
      const whole = replies.allStats('sqlite', names.map((n) => byName.get(n)!), callback);
      assert.deepEqual({ status: r.status, type: r.type, body: chunks.join('') }, whole);
    }
  });
  it('a sorted list without index-like names (what the stores list) keeps its order', async () => {
    const names = ['_x', 'a', 'a.dead', 'b-2', 'q1', 'q10', 'q2'];
    const r = replies.allStatsStream('redis', names, async (some) => some.map((n) => stats(n)));
    let body = '';
    for await (const c of r.chunks) body += c;
    assert.equal(body, replies.allStats('redis', names.map((n) => stats(n))).body);
    assert.deepEqual(Object.keys((JSON.parse(body) as { queues: object }).queues), names);
  });
});

describe('replies.command', () => {
  it('application/json, no CRLF, insertion order', () => {
    assert.deepEqual(replies.command({ queue: 'q', value: 'v', key: 'q:1' }), ok(JSON_T, '{"queue": "q", "value": "v", "key": "q:1"}'));
    assert.deepEqual(replies.command({ error: 'null resultset' }), ok(JSON_T, '{"error": "null resultset"}'));
    assert.deepEqual(replies.command({ queue: 'q', deleted: false, key: 'q:1' }), ok(JSON_T, '{"queue": "q", "deleted": false, "key": "q:1"}'));
  });
});

describe('replies.error', () => {
  it('shape {"error", "code"}, application/json, status from the catalogue', () => {
    assert.deepEqual(replies.error('NOT_FOUND'), { status: 404, type: JSON_T, body: '{"error":"no such route","code":"NOT_FOUND"}' });
  });
  it('a message overrides the default text, never the code', () => {
    assert.deepEqual(replies.error('QUEUE_EMPTY', 'queue is stopped'), { status: 404, type: JSON_T, body: '{"error":"queue is stopped","code":"QUEUE_EMPTY"}' });
  });
  it('every catalogue code', () => {
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const r = replies.error(code);
      assert.equal(r.status, ERRORS[code].status, code);
      assert.equal(r.type, JSON_T, code);
      // Only a request for credentials carries a header: the Basic challenge.
      assert.deepEqual(r.headers, code === 'AUTH_REQUIRED' ? { 'www-authenticate': 'Basic realm="RestMQ"' } : undefined, code);
      assert.deepEqual(JSON.parse(r.body), { error: ERRORS[code].message, code }, code);
    }
  });
});

describe('replies.redirect / health', () => {
  it('redirect: 302, empty body, Location', () => {
    assert.deepEqual(replies.redirect('/dashboard/'), { status: 302, body: '', headers: { location: '/dashboard/' } });
  });
  it('health: 200 or 503, compact JSON', () => {
    assert.deepEqual(replies.health({ status: 'ok' }, true), ok(JSON_T, '{"status":"ok"}'));
    assert.deepEqual(replies.health({ status: 'down', store: 'redis' }, false), { status: 503, type: JSON_T, body: '{"status":"down","store":"redis"}' });
  });
});

const page = (title: string, body: string) =>
  `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n${body}\n</body></html>\n`;

describe('replies.queueList', () => {
  it('one link per queue, the original title (sic)', () => {
    assert.deepEqual(
      replies.queueList(['a', 'b.c-d_e']),
      ok(HTML, page('avaliable queue for REST', '<ul>\n<li><a href="/q/a">/q/a</a></li>\n<li><a href="/q/b.c-d_e">/q/b.c-d_e</a></li>\n</ul>')),
    );
  });
  it('no queue: an empty list', () => {
    assert.equal(replies.queueList([]).body, page('avaliable queue for REST', '<ul>\n\n</ul>'));
  });
  it('names are HTML-escaped in text and URL-encoded in links', () => {
    const body = replies.queueList(['<x>&"\' y']).body;
    assert.ok(body.includes('<li><a href="/q/%3Cx%3E%26%22\'%20y">/q/&#60;x&#62;&#38;&#34;&#39; y</a></li>'), body);
    assert.ok(!body.includes('<x>'));
  });
});

describe('replies.jobPage / jobJson', () => {
  const s = stats('q');
  it('jobPage: title, counts, oldest jobs with escaped values', () => {
    const r = replies.jobPage(s, [{ key: 'q:1', value: '<b>a</b>' }, { key: 'q:2', value: 'b' }]);
    assert.deepEqual(
      r,
      ok(HTML, page('jobs in queue q',
        '<p>queue name: q</p>\n<p>job count: 2</p>\n<p>ready: 2, in flight: 0, delayed: 0, dead: 0, consumers: 0</p>\n' +
          '<p>oldest 10 jobs</p>\n<ul>\n<li>q:1: &#60;b&#62;a&#60;/b&#62;</li>\n<li>q:2: b</li>\n</ul>')),
    );
  });
  it('jobPage truncates long values to 200 characters', () => {
    const body = replies.jobPage(s, [{ key: 'q:1', value: 'x'.repeat(201) }]).body;
    assert.ok(body.includes(`<li>q:1: ${'x'.repeat(200)}…</li>`));
    assert.ok(!body.includes('x'.repeat(201)));
    assert.ok(replies.jobPage(s, [{ key: 'q:1', value: 'y'.repeat(200) }]).body.includes(`<li>q:1: ${'y'.repeat(200)}</li>`));
  });
  it('jobJson: the stats fields and a peek of key/value pairs', () => {
    assert.deepEqual(
      replies.jobJson(s, [{ key: 'q:1', value: 'a' }]),
      ok(JSON_T, `{"queue": "q", ${STATS_FIELDS}, "peek": [{"key": "q:1", "value": "a"}]}`),
    );
    assert.equal(replies.jobJson(s, []).body, `{"queue": "q", ${STATS_FIELDS}, "peek": []}`);
  });
});
