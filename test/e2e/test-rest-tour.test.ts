/**
 * The original `examples/test_rest.sh` curl tour (originals.md A.15), step by step and in
 * order, on every backend, asserting each reply: POST /, the JSON `get` through the form field
 * `body`, POST /q/, GET /q/, the /control/ start-stop round, DELETE, and the /p/ round.
 * Each step depends on the previous ones, so the tour is one test per backend.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { assertOk, forEachBackend, qname, req } from './backends.js';

const LEGACY = 'text/html; charset=UTF-8';
const JSON_RE = /^application\/json/;

forEachBackend((ctx) => {
  it('runs examples/test_rest.sh with the original replies', async () => {
    const url = ctx().url;
    const kind = ctx().storeKind;
    const q = qname(); // the script's queue `test`
    const form = (fields: Record<string, string>) => ({ form: fields });

    // curl -X POST -d "queue=test&value=foobar" http://localhost:8888/
    assertOk(await req(url, 'POST', '/', form({ queue: q, value: 'foobar' })), `${q}:1\r\n`, LEGACY);

    // curl -X POST -d 'body={"cmd":"get", "queue":"test"}' http://localhost:8888/queue
    const get = await req(url, 'POST', '/queue', form({ body: `{"cmd":"get", "queue":"${q}"}` }));
    assertOk(get, `{"queue": "${q}", "value": "foobar", "key": "${q}:1", "count": 1}`, JSON_RE);

    // curl -X POST -d "queue=test&value=foobar" http://localhost:8888/q/test
    assertOk(await req(url, 'POST', `/q/${q}`, form({ queue: q, value: 'foobar' })), `${q}:2\r\n`, LEGACY);

    // curl http://localhost:8888/q/test
    assertOk(await req(url, 'GET', `/q/${q}`), `{"count": 0, "key": "${q}:1", "value": "foobar"}\r\n`, LEGACY);

    // curl http://localhost:8888/control/test
    const control = (status: 0 | 1) => `{"redis": "${kind}", "queue": "${q}", "status": {"queue": "${q}", "status": ${status}}}\r\n`;
    assertOk(await req(url, 'GET', `/control/${q}`), control(1), JSON_RE);
    // curl -X POST -d "status=stop" http://localhost:8888/control/test
    assertOk(await req(url, 'POST', `/control/${q}`, form({ status: 'stop' })), `{"stat": {"queue": "${q}", "status": 0}}\r\n`, LEGACY);
    assertOk(await req(url, 'GET', `/control/${q}`), control(0), JSON_RE);
    // curl -X POST -d "status=start" http://localhost:8888/control/test
    assertOk(await req(url, 'POST', `/control/${q}`, form({ status: 'start' })), `{"stat": {"queue": "${q}", "status": 1}}\r\n`, LEGACY);
    assertOk(await req(url, 'GET', `/control/${q}`), control(1), JSON_RE);

    // curl -X DELETE http://localhost:8888/q/test   (test:2 is still pending)
    assertOk(await req(url, 'DELETE', `/q/${q}`), `{"queue": "${q}", "status": 1}\r\n`, LEGACY);
    const empty = await req(url, 'GET', `/q/${q}`);
    assert.equal(empty.status, 204);
    assert.equal(empty.text, '');

    // curl http://localhost:8888/p/test   (no policy stored: broadcast, SPEC 3 / R13)
    const policy = (name: string) => `{"queue": "${q}", "value": "${name}"}\r\n`;
    assertOk(await req(url, 'GET', `/p/${q}`), policy('broadcast'), LEGACY);
    // curl -D - -X POST -d "policy=roundrobin" http://localhost:8888/p/test   (-D -: headers shown)
    const rr = await req(url, 'POST', `/p/${q}`, form({ policy: 'roundrobin' }));
    assertOk(rr, 'OK\r\n', LEGACY);
    assert.equal(rr.headers.get('content-length'), '4');
    assert.equal(rr.headers.get('etag'), null);
    assertOk(await req(url, 'GET', `/p/${q}`), policy('roundrobin'), LEGACY);
    // curl -X POST -d "policy=broadcast" http://localhost:8888/p/test
    assertOk(await req(url, 'POST', `/p/${q}`, form({ policy: 'broadcast' })), 'OK\r\n', LEGACY);
    assertOk(await req(url, 'GET', `/p/${q}`), policy('broadcast'), LEGACY);
  });

  // curl http://localhost:8888/c/test   (the tour ends blocked on the COMET stream)
  it('ends on GET /c/<q>: a text/plain stream whose headers arrive at once (R23)', async () => {
    const url = ctx().url;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5000);
    try {
      const r = await fetch(`${url}/c/${qname()}`, { signal: abort.signal });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  });
});
