/**
 * presque under /presque (SPEC section 9, originals.md B) on every backend:
 * presque's own t/10_basic.t as one ordered test, each route's success and error shapes,
 * B.10's bugs fixed, and interop with RestMQ's /q/<q> on the same queues.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, WITH_CLUSTER, qname, req, take, post, type Res } from './backends.js';
import { waitUntil } from '../harness/wait.js';

const JSON_CT = 'application/json';

forEachBackend(
  (ctx) => {
    const url = () => ctx().url;
    const P = (path: string) => `/presque${path}`;
    const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
      req(url(), method, P(path), { ...(body === undefined ? {} : { body, type: JSON_CT }), headers });
    const postJob = (q: string, job: unknown, query = '', headers: Record<string, string> = {}) => send('POST', `/q/${q}${query}`, JSON.stringify(job), headers);
    const json = (r: Res): unknown => JSON.parse(r.text);
    const assertPresqueError = (r: Res, status: number, error: string | RegExp) => {
      assert.equal(r.status, status, r.text);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      const body = json(r) as { error: string };
      assert.deepEqual(Object.keys(body), ['error'], r.text);
      if (typeof error === 'string') assert.equal(body.error, error);
      else assert.match(body.error, error);
    };
    const assertEmpty = (r: Res, status: number) => {
      assert.equal(r.status, status, r.text);
      assert.equal(r.text, '');
      // 204 replies carry no Content-Type (Fastify drops it); 201 keeps presque's.
      if (status !== 204) assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    };
    const counters = async (q: string) => json(await send('GET', `/j/${q}`));

    it('t/10_basic.t, in order', async () => {
      const q = qname();
      const w = 'worker_foo';
      // 1–2
      assert.deepEqual(await counters(q), { queue_name: q, job_count: 0, job_failed: 0, job_processed: 0 });
      assertPresqueError(await send('GET', `/q/${q}`), 404, 'no job');
      // 3–4
      assertEmpty(await postJob(q, { foo: 'bar' }), 201);
      assert.equal(((await counters(q)) as { job_count: number }).job_count, 1);
      const got = await send('GET', `/q/${q}`);
      assert.equal(got.status, 200);
      assert.equal(got.text, '{"foo":"bar"}');
      // 5: delayed two seconds ahead; not before, then yes (polled, no fixed sleep)
      assertEmpty(await postJob(q, { foo: 'baz' }, `?delayed=${Math.floor(Date.now() / 1000) + 2}`), 201);
      assertPresqueError(await send('GET', `/q/${q}`), 404, 'no job');
      let delayed = '';
      await waitUntil('the delayed job comes due', async () => {
        const r = await send('GET', `/q/${q}`);
        if (r.status === 200) delayed = r.text;
        return r.status === 200;
      });
      assert.match(delayed, /baz/);
      // 6–8
      assert.deepEqual(json(await send('GET', `/control/${q}`)), { queue: q, status: 1 });
      const stop = await send('POST', `/control/${q}`, '{"status":"stop"}');
      assert.equal(stop.status, 200);
      assert.deepEqual(json(stop), { queue: q, response: 'updated' });
      assert.deepEqual(json(await send('GET', `/control/${q}`)), { queue: q, status: 0 });
      assertPresqueError(await send('GET', `/q/${q}`), 404, 'queue is closed');
      assert.deepEqual(json(await send('POST', `/control/${q}`, '{"status":"start"}')), { queue: q, response: 'updated' });
      // 9: batch in, batch out, in order, each element a JSON string
      const four = [{ foo: 1 }, { foo: 2 }, { foo: 3 }, { foo: 4 }];
      assertEmpty(await send('POST', `/qb/${q}`, JSON.stringify({ jobs: four })), 201);
      const batch = await send('GET', `/qb/${q}`);
      assert.equal(batch.status, 200);
      const strings = json(batch) as unknown[];
      assert.ok(strings.every((s) => typeof s === 'string'));
      assert.deepEqual(
        strings.map((s) => JSON.parse(s as string) as unknown),
        four,
      );
      // 10–11: uniq
      assertEmpty(await postJob(q, { foo: 1 }, '?uniq=a'), 201);
      assertPresqueError(await postJob(q, { foo: 1 }, '?uniq=a'), 400, 'job already exists');
      assert.deepEqual(json(await send('GET', `/q/${q}`)), { foo: 1 });
      assertPresqueError(await send('GET', `/q/${q}`), 404, 'no job');
      // 12–13: PUT re-inserts and counts a failure
      assertEmpty(await send('PUT', `/q/${q}`, '{"foo":1}'), 201);
      assert.deepEqual(json(await send('GET', `/status/${q}`)), { queue: q, size: 1 });
      assert.deepEqual(json(await send('GET', `/w/?queue_name=${q}`)), { queue_name: q, workers_list: [], processed: 7, failed: 1 });
      // 14
      assertEmpty(await send('POST', `/w/${q}`, undefined, { 'x-presque-workerid': w }), 201);
      assertEmpty(await postJob(q, { foo: 2 }), 201);
      assert.equal((await send('GET', `/qb/${q}`, undefined, { 'x-presque-workerid': w })).status, 200);
      assert.deepEqual(json(await send('GET', `/w/?queue_name=${q}`)), { queue_name: q, workers_list: [w], processed: 9, failed: 1 });
      // 15
      assertEmpty(await send('DELETE', `/w/${q}`, undefined, { 'x-presque-workerid': w }), 204);
      assertEmpty(await send('DELETE', `/q/${q}`), 204);
      assert.deepEqual(await counters(q), { queue_name: q, job_count: 0, job_failed: 0, job_processed: 0 });
    });

    it('/q/: name missing 404, invalid name 400, content type, job missing, 405', async () => {
      for (const m of ['GET', 'POST', 'PUT', 'DELETE']) assertPresqueError(await send(m, '/q/', m === 'GET' ? undefined : '{}'), 404, 'queue name is missing');
      assertPresqueError(await send('GET', '/q/a:b'), 400, /invalid queue name/);
      assertPresqueError(await send('GET', '/q/a/b'), 400, /invalid queue name/);
      const q = qname();
      assertPresqueError(await req(url(), 'POST', P(`/q/${q}`), { body: '{"a":1}', type: 'text/plain' }), 400, 'content-type must be set to application/json');
      assertPresqueError(await req(url(), 'POST', P(`/q/${q}`), { body: '{"a":1}' }), 400, 'content-type must be set to application/json');
      assertPresqueError(await req(url(), 'PUT', P(`/q/${q}`), { body: '', type: JSON_CT }), 400, 'job is missing');
      // a substring match, as presque since 2010
      assertEmpty(await req(url(), 'POST', P(`/q/${q}`), { body: '{"a":1}', type: 'application/json; charset=utf-8' }), 201);
      const r = await send('PATCH', `/q/${q}`);
      assert.equal(r.status, 405);
      assert.equal(r.text, 'Method Not Allowed');
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal((await send('GET', '/nowhere')).status, 404);
    });

    it('HEAD never consumes (P1)', async () => {
      const q = qname();
      assertEmpty(await send('HEAD', `/q/${q}`), 404);
      await postJob(q, { only: 1 });
      assert.equal((await send('HEAD', `/q/${q}`)).status, 200);
      assert.equal((await send('HEAD', `/qb/${q}`)).status, 200);
      assert.equal((await send('HEAD', `/q/${q}`)).status, 200);
      assert.deepEqual(json(await send('GET', `/q/${q}`)), { only: 1 });
      assert.equal((await send('HEAD', `/q/${q}`)).status, 404);
    });

    it('job bodies come back byte for byte, non-ASCII not double-encoded (P14)', async () => {
      const q = qname();
      const body = '{"name": "José ☃ 🎉",  "n":[1, 2]}';
      await send('POST', `/q/${q}`, body);
      const r = await send('GET', `/q/${q}`);
      assert.equal(r.text, body);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      await send('POST', `/qb/${q}`, JSON.stringify({ jobs: [{ s: 'é' }] }));
      assert.deepEqual(json(await send('GET', `/qb/${q}`)), ['{"s":"é"}']);
    });

    it('/qb/: batch_size, errors without 500s (P4), invalid JSON 400', async () => {
      const q = qname();
      await send('POST', `/qb/${q}`, JSON.stringify({ jobs: [1, 2, 3] }));
      assert.deepEqual(json(await send('GET', `/qb/${q}?batch_size=2`)), ['1', '2']);
      assert.deepEqual(json(await send('GET', `/qb/${q}`)), ['3']);
      assertPresqueError(await send('GET', `/qb/${q}`), 404, 'no job');
      assertPresqueError(await send('GET', `/qb/${q}?batch_size=x`), 400, /batch_size/);
      assertPresqueError(await send('POST', `/qb/${q}`, '{"jobs": [1,'), 400, /not valid JSON/);
      assertPresqueError(await send('POST', `/qb/${q}`, '{"jobs": 1}'), 400, 'jobs should be an array of job');
      assertPresqueError(await send('POST', `/qb/${q}`, '[1]'), 400, 'jobs should be an array of job');
      assertPresqueError(await send('PUT', `/qb/${q}`, '{"jobs":[1]}'), 400, 'PUT is not supported in batch mode');
      assertPresqueError(await send('DELETE', `/qb/${q}`), 400, 'DELETE is not supported in batch mode');
      assertPresqueError(await send('GET', '/qb/'), 404, 'queue name is missing');
      // stopped queue
      await send('POST', `/qb/${q}`, JSON.stringify({ jobs: [1] }));
      await send('POST', `/control/${q}`, '{"status":"stop"}');
      assertPresqueError(await send('GET', `/qb/${q}`), 404, 'queue is closed');
    });

    it('?delayed=<epoch> on batches; a past or zero epoch is immediate', async () => {
      const q = qname();
      await send('POST', `/qb/${q}?delayed=${Math.floor(Date.now() / 1000) + 3600}`, JSON.stringify({ jobs: [1, 2] }));
      await postJob(q, 'now', '?delayed=0');
      await postJob(q, 'past', `?delayed=${Math.floor(Date.now() / 1000) - 10}`);
      assert.deepEqual(json(await send('GET', `/qb/${q}`)), ['"now"', '"past"']);
      assertPresqueError(await postJob(q, 1, '?delayed=tomorrow'), 400, /delayed/);
    });

    it('uniq is atomic: concurrent posts with one token make one job', async () => {
      const q = qname();
      const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => postJob(q, { i }, '?uniq=tok')));
      assert.deepEqual(rs.map((r) => r.status).sort(), [201, 400, 400, 400, 400, 400, 400, 400]);
      assert.equal(((await counters(q)) as { job_count: number }).job_count, 1);
      // tokens belong to a queue
      assertEmpty(await postJob(qname(), 1, '?uniq=tok'), 201);
      assertPresqueError(await postJob(q, 1, `?uniq=${'t'.repeat(129)}`), 400, /dedup/);
    });

    it('uniq: the token is freed when its job is fetched (one or in a batch) or purged, not before', async () => {
      const q = qname();
      assertEmpty(await postJob(q, { n: 1 }, '?uniq=t1'), 201);
      assertEmpty(await postJob(q, { n: 2 }, '?uniq=t2'), 201);
      assertPresqueError(await postJob(q, { n: 1 }, '?uniq=t1'), 400, 'job already exists');
      assert.deepEqual(json(await send('GET', `/q/${q}`)), { n: 1 });
      assertEmpty(await postJob(q, { n: 3 }, '?uniq=t1'), 201);
      assertPresqueError(await postJob(q, { n: 2 }, '?uniq=t2'), 400, 'job already exists');
      assert.deepEqual(json(await send('GET', `/qb/${q}`)), ['{"n":2}', '{"n":3}']);
      assertEmpty(await postJob(q, { n: 4 }, '?uniq=t2'), 201);
      assertEmpty(await postJob(q, { n: 5 }, '?uniq=t1'), 201);
      assertEmpty(await send('DELETE', `/q/${q}`), 204);
      assertEmpty(await postJob(q, { n: 6 }, '?uniq=t1'), 201);
      assertEmpty(await postJob(q, { n: 7 }, '?uniq=t2'), 201);
    });

    it('/j/ counters: job_count pending, job_failed by PUT, job_processed by presque takes', async () => {
      const q = qname();
      await postJob(q, 1);
      await postJob(q, 2);
      await postJob(q, 3);
      await send('GET', `/q/${q}`);
      await send('PUT', `/q/${q}`, '{"retry":1}');
      await take(url(), q); // a RestMQ take is not presque's processed
      assert.deepEqual(await counters(q), { queue_name: q, job_count: 2, job_failed: 1, job_processed: 1 });
      assertPresqueError(await send('GET', '/j/'), 404, 'queue name is missing');
    });

    it('/status/: queue list, size, with_desc (empty queue too, P7)', async () => {
      const q = qname();
      assert.deepEqual(json(await send('GET', `/status/${q}?with_desc=1`)), { queue: q, size: 0, jobs: [] });
      await postJob(q, { a: 1 });
      await postJob(q, { b: 2 });
      assert.deepEqual(json(await send('GET', `/status/${q}?with_desc=1`)), { queue: q, size: 2, jobs: ['{"a":1}', '{"b":2}'] });
      assert.deepEqual(json(await send('GET', `/status/${q}`)), { queue: q, size: 2 });
      const all = json(await send('GET', '/status/')) as { queues: string[]; size: number };
      assert.ok(all.queues.includes(q));
      assert.equal(all.size, all.queues.length);
      assertPresqueError(await send('GET', '/status/a:b'), 400, /invalid queue name/);
    });

    it('/control/: content missing, bad JSON and unknown status are 400 (P6)', async () => {
      const q = qname();
      assertPresqueError(await send('POST', `/control/${q}`, ''), 400, 'content is missing');
      assertPresqueError(await send('POST', `/control/${q}`, '{status'), 400, /not valid JSON/);
      assertPresqueError(await send('POST', `/control/${q}`, '{"status":"pause"}'), 400, 'invalid status pause');
      assertPresqueError(await send('POST', `/control/${q}`, '"stop"'), 400, /invalid status/);
      assertPresqueError(await send('GET', '/control/'), 404, 'queue name is missing');
      // the content type is not checked (presque)
      const r = await req(url(), 'POST', P(`/control/${q}`), { body: '{"status":"stop"}', type: 'text/plain' });
      assert.deepEqual(json(r), { queue: q, response: 'updated' });
      // closing blocks fetches, not posts
      assertEmpty(await postJob(q, 1), 201);
      assertPresqueError(await send('GET', `/q/${q}`), 404, 'queue is closed');
    });

    it('/w/: registry, per-worker counters (P2, P3, P5), header required', async () => {
      const q = qname();
      const q2 = qname();
      const w = `w-${q}`;
      const hw = { 'x-presque-workerid': w };
      assertPresqueError(await send('POST', `/w/${q}`), 400, 'worker_id is missing');
      assertPresqueError(await send('DELETE', `/w/${q}`), 400, 'worker_id is missing');
      assertPresqueError(await send('POST', '/w/', undefined, hw), 404, 'queue name is missing');
      assertEmpty(await send('POST', `/w/${q}`, undefined, hw), 201);
      assertEmpty(await send('POST', `/w/${q2}`, undefined, hw), 201);
      assert.ok((json(await send('GET', '/w/')) as string[]).includes(w));
      await send('POST', `/qb/${q}`, JSON.stringify({ jobs: [1, 2, 3] }));
      await send('GET', `/q/${q}`, undefined, hw);
      await send('GET', `/qb/${q}`, undefined, hw);
      await send('PUT', `/q/${q}`, '{"fail":1}', hw);
      assert.deepEqual(json(await send('GET', `/w/anything?worker_id=${w}`)), { worker_id: w, processed: 3, failed: 1 });
      // leaving one queue keeps the worker registered on the other
      assertEmpty(await send('DELETE', `/w/${q}`, undefined, hw), 204);
      assert.deepEqual(json(await send('GET', `/w/?queue_name=${q2}`)), { queue_name: q2, workers_list: [w], processed: 0, failed: 0 });
      assert.deepEqual(json(await send('GET', `/w/?worker_id=${w}`)), { worker_id: w, processed: 3, failed: 1 });
      assertEmpty(await send('DELETE', `/w/${q2}`, undefined, hw), 204);
      assert.ok(!(json(await send('GET', '/w/')) as string[]).includes(w));
      assertPresqueError(await send('GET', `/w/?worker_id=${w}`), 404, /not registered/);
    });

    it('/w without the slash (as Net::Presque asks) is /w/', async () => {
      const q = qname();
      const w = `w-${q}`;
      const hw = { 'x-presque-workerid': w };
      assertEmpty(await send('POST', `/w/${q}`, undefined, hw), 201);
      try {
        const all = await send('GET', '/w');
        assert.equal(all.status, 200, all.text);
        assert.ok((json(all) as string[]).includes(w));
        assert.deepEqual(json(await send('GET', `/w?worker_id=${w}`)), { worker_id: w, processed: 0, failed: 0 });
        assert.deepEqual(json(await send('GET', `/w?queue_name=${q}`)), { queue_name: q, workers_list: [w], processed: 0, failed: 0 });
        assertPresqueError(await send('POST', '/w', undefined, hw), 404, 'queue name is missing');
      } finally {
        assertEmpty(await send('DELETE', `/w/${q}`, undefined, hw), 204);
      }
    });

    it('DELETE /q/ purges ready and delayed jobs and the counters (P8)', async () => {
      const q = qname();
      await postJob(q, 1);
      await postJob(q, 2, `?delayed=${Math.floor(Date.now() / 1000) + 1}`);
      await send('GET', `/q/${q}`);
      await send('PUT', `/q/${q}`, '3');
      assertEmpty(await send('DELETE', `/q/${q}`), 204);
      assert.deepEqual(await counters(q), { queue_name: q, job_count: 0, job_failed: 0, job_processed: 0 });
      // the delayed job is gone too: once it would have been due, still no job
      const due = Date.now() + 1500;
      await waitUntil('the delayed job would be due', () => Promise.resolve(Date.now() > due));
      assertPresqueError(await send('GET', `/q/${q}`), 404, 'no job');
    });

    it('interop: posted through /presque, taken from /q/; and the other way round', async () => {
      const q = qname();
      await postJob(q, { from: 'presque' });
      assert.equal((await take(url(), q))?.value, '{"from":"presque"}');
      await post(url(), q, '{"from":"restmq"}');
      assert.deepEqual(json(await send('GET', `/q/${q}`)), { from: 'restmq' });
      // FIFO across the two APIs
      await postJob(q, 1);
      await post(url(), q, '2');
      await postJob(q, 3);
      assert.deepEqual(json(await send('GET', `/qb/${q}`)), ['1', '2', '3']);
      // one open/closed state
      await send('POST', `/control/${q}`, '{"status":"stop"}');
      const stopped = await req(url(), 'GET', `/q/${q}`);
      assert.equal(stopped.status, 204);
      await req(url(), 'POST', `/control/${q}`, { form: { status: 'start' } });
      assert.deepEqual(json(await send('GET', `/control/${q}`)), { queue: q, status: 1 });
      // a presque purge empties the RestMQ view
      await post(url(), q, 'x');
      await send('DELETE', `/q/${q}`);
      assert.equal(await take(url(), q), null);
    });
  },
  { backends: WITH_CLUSTER },
);
