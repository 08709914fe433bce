/**
 * The bad-input list (SPEC section 2) over real HTTP on every backend, with a 1 KiB message
 * limit: invalid and reserved names, empty and oversized values (form, raw, batch), huge
 * Content-Length, bad UTF-8 and percent-encoding, unknown routes and methods, bad ttl/count,
 * unsupported media types. Every refusal is a JSON `{"error"}` from the catalogue, never a
 * 500, and leaves the queue as it was.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { assertError, command, forEachBackend, len, post, qname, req, take, type Res } from './backends.js';

const LIMIT = 1024;

/** Sends headers claiming a huge body, then only a little of it; resolves with the reply. */
function hugeUpload(base: string, path: string, type: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const r = request(base + path, { method: 'POST', headers: { 'content-type': type, 'content-length': String(100 * 1024 * 1024) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers, text });
        r.destroy();
      });
    });
    // The broker may close the socket once it has answered: that is fine.
    r.on('error', (err) => (r.destroyed ? undefined : reject(err)));
    r.setTimeout(10_000, () => reject(new Error('no reply before the body was complete: the body was not refused early')));
    r.write('x'.repeat(4096));
  });
}

forEachBackend((ctx) => {
  const url = () => ctx().url;

  // ---- names ----
  const BAD_NAMES = ['QUEUESET', 'AUTHKEY', 'queuestat', 'x'.repeat(129), 'a:b', 'a%20b', 'a*', '%C3%A9'];
  it('invalid and reserved queue names: 400 on every route, nothing registered', async () => {
    for (const name of BAD_NAMES) {
      assertError(await req(url(), 'POST', `/q/${name}`, { form: { value: 'v' } }), 400, 'INVALID_QUEUE_NAME');
      assertError(await req(url(), 'GET', `/q/${name}`), 400, 'INVALID_QUEUE_NAME');
      assertError(await req(url(), 'DELETE', `/q/${name}`), 400, 'INVALID_QUEUE_NAME');
      assertError(await req(url(), 'GET', `/p/${name}`), 400, 'INVALID_QUEUE_NAME');
      assertError(await req(url(), 'POST', `/control/${name}`, { form: { status: 'stop' } }), 400, 'INVALID_QUEUE_NAME');
      assertError(await req(url(), 'GET', `/stats/${name}`), 400, 'INVALID_QUEUE_NAME');
      assertError(await req(url(), 'GET', `/j/${name}`), 400, 'INVALID_QUEUE_NAME');
      const decoded = decodeURIComponent(name);
      assertError(await req(url(), 'POST', '/', { form: { queue: decoded, value: 'v' } }), 400, 'INVALID_QUEUE_NAME');
      assertError(await req(url(), 'GET', `/?queue=${name}`), 400, 'INVALID_QUEUE_NAME');
    }
    const stats = JSON.parse((await req(url(), 'GET', '/stats/')).text) as { queues: Record<string, unknown> };
    for (const name of BAD_NAMES) assert.ok(!(decodeURIComponent(name) in stats.queues), name);
  });
  it('128 characters is still a valid name', async () => {
    const name = 'y'.repeat(120) + qname().slice(-8);
    assert.equal(name.length, 128);
    assert.equal(await post(url(), name, 'ok'), `${name}:1`);
    assert.equal((await take(url(), name))?.value, 'ok');
  });
  it('the empty queue name: 400 on POST / queue=, /p/, /control/ POST, /j/', async () => {
    assertError(await req(url(), 'POST', '/', { form: { queue: '', value: 'v' } }), 400, 'MISSING_ARGUMENT');
    assertError(await req(url(), 'GET', '/p/'), 400, 'INVALID_QUEUE_NAME');
    assertError(await req(url(), 'POST', '/p/', { form: { policy: 'roundrobin' } }), 400, 'INVALID_QUEUE_NAME');
    assertError(await req(url(), 'GET', '/j/'), 400, 'INVALID_QUEUE_NAME');
  });
  it('the empty queue name: POST /q/ is 400 (R29 fixed), not a queue ""', async () => {
    assertError(await req(url(), 'POST', '/q/', { form: { value: 'v' } }), 400, 'INVALID_QUEUE_NAME');
    assertError(await req(url(), 'DELETE', '/q/'), 400, 'INVALID_QUEUE_NAME');
  });
  it('a slash in a name is no queue name: /q/a/b is the receipt route (405 for POST), deeper is 404', async () => {
    assertError(await req(url(), 'POST', '/q/a/b', { form: { value: 'v' } }), 405, 'METHOD_NOT_ALLOWED');
    assertError(await req(url(), 'POST', '/q/a/b/c/d', { form: { value: 'v' } }), 404, 'NOT_FOUND');
  });

  // ---- empty values ----
  it('empty values: 400, nothing enqueued', async () => {
    const q = qname();
    assertError(await req(url(), 'POST', `/q/${q}`, { form: { value: '' } }), 400, 'MISSING_ARGUMENT');
    assertError(await req(url(), 'POST', `/q/${q}`, { form: { value: ' \n\t ' } }), 400, 'MISSING_ARGUMENT');
    assertError(await req(url(), 'POST', `/q/${q}`, { body: '', type: 'text/plain' }), 400, 'MISSING_ARGUMENT');
    assertError(await req(url(), 'POST', `/q/${q}?batch=1`, { body: '["a", ""]', type: 'application/json' }), 400, 'EMPTY_VALUE');
    assert.equal(await len(url(), q), 0);
    assert.equal(await post(url(), q, 'first'), `${q}:1`, 'no counter value was used up');
  });

  // ---- size limit ----
  it(`a value of exactly ${LIMIT} bytes is accepted, form and raw`, async () => {
    const q = qname();
    const value = 'é'.repeat(LIMIT / 2);
    assert.equal(Buffer.byteLength(value), LIMIT);
    await post(url(), q, value);
    assert.equal((await req(url(), 'POST', `/q/${q}`, { body: value, type: 'text/plain' })).status, 200);
    assert.equal((await take(url(), q))?.value, value);
    assert.equal((await take(url(), q))?.value, value);
  });
  it('oversized values: 413 for form, raw text, raw JSON, batch and JSON add; nothing enqueued', async () => {
    const q = qname();
    const big = 'x'.repeat(LIMIT + 1);
    const bigMultibyte = '€'.repeat(342); // 342 chars, 1026 bytes
    assertError(await req(url(), 'POST', `/q/${q}`, { form: { value: big } }), 413, 'PAYLOAD_TOO_LARGE');
    assertError(await req(url(), 'POST', `/q/${q}`, { form: { value: bigMultibyte } }), 413, 'PAYLOAD_TOO_LARGE');
    assertError(await req(url(), 'POST', '/', { form: { queue: q, value: big } }), 413, 'PAYLOAD_TOO_LARGE');
    assertError(await req(url(), 'POST', `/q/${q}`, { body: big, type: 'text/plain' }), 413, 'PAYLOAD_TOO_LARGE');
    assertError(await req(url(), 'POST', `/q/${q}`, { body: bigMultibyte, type: 'application/octet-stream' }), 413, 'PAYLOAD_TOO_LARGE');
    assertError(await req(url(), 'POST', `/q/${q}`, { body: big, type: 'application/json' }), 413, 'PAYLOAD_TOO_LARGE');
    assertError(await req(url(), 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(['ok', big]), type: 'application/json' }), 413, 'PAYLOAD_TOO_LARGE');
    assertError(await req(url(), 'POST', '/queue', { body: JSON.stringify({ cmd: 'add', queue: q, value: big }), type: 'application/json' }), 413, 'PAYLOAD_TOO_LARGE');
    assert.equal(await len(url(), q), 0);
  });
  for (const type of ['text/plain', 'application/json', 'application/x-www-form-urlencoded']) {
    it(`a huge Content-Length (${type}) is refused with 413 before the body is read`, async () => {
      const q = qname();
      assertError(await hugeUpload(url(), `/q/${q}`, type), 413, 'PAYLOAD_TOO_LARGE');
      assert.equal(await len(url(), q), 0);
    });
  }

  // ---- encodings ----
  it('invalid UTF-8 in a raw body: 400', async () => {
    const q = qname();
    for (const bytes of [[0x61, 0xff], [0xc3], [0xed, 0xa0, 0x80]]) {
      assertError(await req(url(), 'POST', `/q/${q}`, { body: Buffer.from(bytes), type: 'text/plain' }), 400, 'INVALID_UTF8');
      assertError(await req(url(), 'POST', `/q/${q}`, { body: Buffer.from(bytes), type: 'application/octet-stream' }), 400, 'INVALID_UTF8');
    }
    assertError(await req(url(), 'POST', `/q/${q}`, { body: Buffer.from([0x76, 0x3d, 0xff]), type: 'application/x-www-form-urlencoded' }), 400, 'INVALID_UTF8');
    assert.equal(await len(url(), q), 0);
  });
  it('malformed percent-encoding in a form body or query: 400', async () => {
    const q = qname();
    assertError(await req(url(), 'POST', `/q/${q}`, { body: 'value=%zz', type: 'application/x-www-form-urlencoded' }), 400, 'INVALID_ENCODING');
    assertError(await req(url(), 'POST', `/q/${q}`, { body: 'value=%FF', type: 'application/x-www-form-urlencoded' }), 400, 'INVALID_ENCODING');
    assertError(await req(url(), 'POST', `/q/${q}?value=%E0%A4%A`), 400, 'INVALID_ENCODING');
    assertError(await req(url(), 'GET', `/q/${q}?callback=%`), 400, 'INVALID_ENCODING');
    assert.equal(await len(url(), q), 0);
  });
  it('malformed percent-encoding in the path: 400 from the catalogue', async () => {
    assertError(await req(url(), 'GET', '/q/%zz'), 400, 'INVALID_ENCODING');
    assertError(await req(url(), 'POST', '/q/a%E0%A4%A', { form: { value: 'v' } }), 400, 'INVALID_ENCODING');
  });

  // ---- routes and methods ----
  it('unknown routes: 404 JSON (slash-less /q, /stats, /control too)', async () => {
    for (const path of ['/nope', '/q', '/stats', '/control', '/queue/x', '/static/nope.html']) {
      assertError(await req(url(), 'GET', path), 404, 'NOT_FOUND');
    }
    assertError(await req(url(), 'POST', '/nope', { form: { value: 'v' } }), 404, 'NOT_FOUND');
  });
  it('unsupported methods: 405 JSON with Allow', async () => {
    const q = qname();
    await post(url(), q, 'kept');
    const cases: [string, string, string][] = [
      ['PUT', `/q/${q}`, 'GET, POST, DELETE'], ['PATCH', `/q/${q}`, 'GET, POST, DELETE'], ['OPTIONS', `/q/${q}`, 'GET, POST, DELETE'],
      ['PUT', '/', 'GET, POST'], ['DELETE', '/queue', 'GET, POST'], ['POST', '/stats/', 'GET'], ['DELETE', `/p/${q}`, 'GET, POST'],
      ['PUT', `/control/${q}`, 'GET, POST'], ['POST', `/j/${q}`, 'GET'], ['POST', '/health', 'GET'],
    ];
    for (const [method, path, allow] of cases) {
      const r = await req(url(), method, path);
      assertError(r, 405, 'METHOD_NOT_ALLOWED');
      assert.equal(r.headers.get('allow'), allow, `${method} ${path}`);
    }
    assert.equal(await len(url(), q), 1);
  });
  it('HEAD never consumes: 405', async () => {
    const q = qname();
    await post(url(), q, 'kept');
    for (const path of [`/q/${q}`, `/?queue=${q}`]) {
      const r = await req(url(), 'HEAD', path);
      assert.equal(r.status, 405);
      assert.equal(r.text, '');
    }
    assert.equal((await take(url(), q))?.value, 'kept');
  });

  // ---- ttl / count ----
  it('bad ttl (abc, 0, -1, 1.5, too big): 400 and nothing enqueued, no counter used', async () => {
    const q = qname();
    for (const ttl of ['abc', '0', '-1', '1.5', '31536001']) {
      assertError(await req(url(), 'POST', `/q/${q}`, { form: { value: 'v', ttl } }), 400, 'INVALID_TTL');
      assertError(await req(url(), 'POST', `/q/${q}?ttl=${ttl}`, { body: 'raw', type: 'text/plain' }), 400, 'INVALID_TTL');
      assertError(await req(url(), 'POST', '/', { form: { queue: q, value: 'v', ttl } }), 400, 'INVALID_TTL');
      assertError(await req(url(), 'POST', `/q/${q}?batch=1&ttl=${ttl}`, { body: '["a"]', type: 'application/json' }), 400, 'INVALID_TTL');
    }
    assertError(await req(url(), 'POST', '/queue', { body: JSON.stringify({ cmd: 'add', queue: q, value: 'v', ttl: -1 }), type: 'application/json' }), 400, 'INVALID_TTL');
    assert.equal(await len(url(), q), 0);
    assert.equal(await post(url(), q, 'first'), `${q}:1`);
  });
  it('bad count (0, 101, abc, -1): 400 and nothing taken', async () => {
    const q = qname();
    await post(url(), q, 'kept');
    for (const count of ['0', '101', 'abc', '-1', '1.5']) {
      assertError(await req(url(), 'GET', `/q/${q}?count=${count}`), 400, 'INVALID_COUNT');
      assertError(await req(url(), 'GET', `/?queue=${q}&count=${count}`), 400, 'INVALID_COUNT');
    }
    assert.equal(await len(url(), q), 1);
  });

  // ---- batches ----
  it('bad batches: not JSON, not an array, non-strings, empty, wrong Content-Type: 400, nothing enqueued', async () => {
    const q = qname();
    assertError(await req(url(), 'POST', `/q/${q}?batch=1`, { body: '[', type: 'application/json' }), 400, 'INVALID_JSON');
    for (const body of ['{"a": 1}', '"a"', '[]', '["a", 5]', '[null]', '[["a"]]']) {
      assertError(await req(url(), 'POST', `/q/${q}?batch=1`, { body, type: 'application/json' }), 400, 'INVALID_BATCH');
    }
    assertError(await req(url(), 'POST', `/q/${q}?batch=1`, { body: '["a"]', type: 'text/plain' }), 400, 'INVALID_BATCH');
    assertError(await req(url(), 'POST', `/q/${q}?batch=1`), 400, 'INVALID_BATCH');
    assertError(await req(url(), 'POST', '/queue', { body: JSON.stringify({ cmd: 'add', queue: q, values: ['a', 5] }), type: 'application/json' }), 400, 'INVALID_BATCH');
    assert.equal(await len(url(), q), 0);
  });
  it('a batch of 1001 values is refused', async () => {
    const q = qname();
    const body = JSON.stringify(Array.from({ length: 1001 }, () => 'v'));
    assertError(await req(url(), 'POST', `/q/${q}?batch=1`, { body, type: 'application/json' }), 400, 'INVALID_BATCH');
    assert.equal(await len(url(), q), 0);
  });

  // ---- media types ----
  it('multipart/form-data is read like a form, as the original did (curl -F); files and bad bodies refused', async () => {
    const q = qname();
    const multipart = '--xx\r\nContent-Disposition: form-data; name="value"\r\n\r\n  v  \r\n--xx--\r\n';
    const r = await req(url(), 'POST', `/q/${q}`, { body: multipart, type: 'multipart/form-data; boundary=xx' });
    assert.equal(r.text, `${q}:1\r\n`);
    assert.equal((await command(url(), { cmd: 'take', queue: q }))['value'], 'v', 'trimmed like a form field');
    const fd = new FormData();
    fd.set('body', JSON.stringify({ cmd: 'add', queue: q, value: 'via -F' }));
    const viaFetch = await fetch(`${url()}/queue`, { method: 'POST', body: fd });
    assert.equal(((await viaFetch.json()) as { value: string }).value, 'via -F');
    const file = '--xx\r\nContent-Disposition: form-data; name="value"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nv\r\n--xx--\r\n';
    assertError(await req(url(), 'POST', `/q/${q}`, { body: file, type: 'multipart/form-data; boundary=xx' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertError(await req(url(), 'POST', `/q/${q}`, { body: 'junk', type: 'multipart/form-data' }), 400, 'INVALID_ENCODING');
    assert.equal(await len(url(), q), 1);
    await command(url(), { cmd: 'take', queue: q });
  });

  it('unsupported Content-Type (xml): 415', async () => {
    const q = qname();
    assertError(await req(url(), 'POST', `/q/${q}`, { body: '<v/>', type: 'application/xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertError(await req(url(), 'POST', '/queue', { body: '{"cmd":"len","queue":"x"}', type: 'text/xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal(await len(url(), q), 0);
  });

  it('after all of this the broker still answers, and still has no 500 to give', async () => {
    const q = qname();
    assert.equal(await post(url(), q, 'alive'), `${q}:1`);
    assert.deepEqual(await command(url(), { cmd: 'take', queue: q }), { queue: q, value: 'alive', key: `${q}:1` });
    assert.equal((await req(url(), 'GET', '/ready')).status, 200);
  });
}, { flags: { 'max-message-bytes': String(LIMIT) } });
