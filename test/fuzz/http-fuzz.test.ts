/**
 * HTTP fuzz (issue 5): thousands of malformed requests on raw sockets against a real broker
 * on each backend (and once with an ACL file, so that credentials get fuzzed too), while
 * witness queues carry known messages. Afterwards: no 5xx, every JSON
 * error in the catalogue's shape, /health and /ready 200, and the witness messages exactly
 * as sent, in order. Bounded here (a few seconds per backend); `npm run fuzz` (FUZZ_LONG=1)
 * runs many more cases with a new seed, for up to FUZZ_SECONDS (12) per broker so that the
 * file stays within the runner's 120 s. FUZZ_SEED=<n> replays a run, FUZZ_CASES=<n> sets the
 * count; for runs longer than the runner allows:
 *   FUZZ_SECONDS=600 FUZZ_CASES=200000 node --import tsx --test --test-timeout=0 test/fuzz/http-fuzz.test.ts
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ERRORS } from '../../src/errors.js';
import { startTestBroker, type BackendName, type TestBroker } from '../harness/broker.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { SseClient } from '../harness/stream-clients.js';
import { caseArb } from './cases.js';
import { sendPieces, type RawResponse } from '../harness/raw-http.js';
import type { RawCase } from './raw-case.js';
import { producer, takeSome, witnessValue } from './witness.js';

const LONG = process.env['FUZZ_LONG'] === '1';
const SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : LONG ? Math.floor(Math.random() * 2 ** 31) : 20261124;
const CASES = process.env['FUZZ_CASES'] ? Number(process.env['FUZZ_CASES']) : LONG ? 20_000 : 600;
/** The long run stops starting cases after this many seconds per broker (scripts/run-tests.mjs cancels a file at 120 s). */
const SECONDS = process.env['FUZZ_SECONDS'] ? Number(process.env['FUZZ_SECONDS']) : LONG ? 12 : Infinity;
/** Sockets open at once; enough to overlap requests, few enough for a shared 2-core machine. */
const CONCURRENCY = 24;
/** A case's socket is closed after this long (streams and long polls never end by themselves). */
const CASE_TIMEOUT_MS = 800;
const FUZZ_QUEUES = ['fz-a', 'fz-b', 'fz-c'];
const RESTING = 40;
const LIVE = LONG ? 500 : 150;

console.log(`# http fuzz: seed ${SEED}, ${CASES} cases per broker${SECONDS < Infinity ? ` or ${SECONDS} s` : ''} (replay: FUZZ_SEED=${SEED}${LONG ? ' FUZZ_LONG=1' : ''} node scripts/run-tests.mjs http-fuzz)`);

interface Finding {
  kind: string;
  problem: string;
}

/** What is wrong with one response, if anything. */
function check(c: RawCase, r: RawResponse): Finding | undefined {
  const body = r.body?.toString('utf8').slice(0, 200);
  if (r.status >= 500) return { kind: c.kind, problem: `status ${r.status} ${body ?? ''}` };
  const type = r.headers['content-type'] ?? '';
  // presque's routes answer errors in presque's own shape ({"error": "..."}), as its clients expect.
  const presque = c.path?.startsWith('/presque/') === true;
  if (r.status >= 400 && type.startsWith('application/json') && r.body && c.method !== 'HEAD' && !presque) {
    let parsed: { error?: unknown; code?: unknown } | undefined;
    try {
      parsed = JSON.parse(r.body.toString('utf8')) as typeof parsed;
    } catch {
      return { kind: c.kind, problem: `error body is not JSON: ${body}` };
    }
    if (typeof parsed?.error !== 'string' || typeof parsed.code !== 'string' || !Object.hasOwn(ERRORS, parsed.code)) {
      return { kind: c.kind, problem: `error body not {"error", "code"} from the catalogue: ${body}` };
    }
    if (ERRORS[parsed.code as keyof typeof ERRORS].status !== r.status) return { kind: c.kind, problem: `${parsed.code} sent with status ${r.status}` };
  }
  return undefined;
}

/** Runs every case, `CONCURRENCY` at a time; returns the findings and counts per status. */
async function fuzz(port: number, cases: RawCase[], deadline: number): Promise<{ findings: Finding[]; statuses: Map<number, number>; noReply: number; ran: number }> {
  const findings: Finding[] = [];
  const statuses = new Map<number, number>();
  let noReply = 0;
  let next = 0;
  const worker = async () => {
    while (next < cases.length && Date.now() < deadline) {
      const c = cases[next++]!;
      const result = await sendPieces(port, c, CASE_TIMEOUT_MS + c.gapMs * c.pieces.length);
      if (result.responses.length === 0) noReply++;
      for (const r of result.responses) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        const f = check(c, r);
        if (f) findings.push(f);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { findings, statuses, noReply, ran: next };
}

/** An ACL file that wants passwords from producers and admins (the fuzz sends good and bad ones). */
const ACL = '[rest:producer]\nusername = producer\npassword = s3cret\n\n[admin]\nusername = root\npassword = t0p-s3cret\n';
const PRODUCER_AUTH = { authorization: `Basic ${Buffer.from('producer:s3cret').toString('base64')}` };

const SETUPS: { name: string; backend: BackendName; acl?: boolean }[] = [
  { name: 'sqlite', backend: 'sqlite' },
  { name: 'memory', backend: 'memory' },
  { name: 'redis', backend: 'redis' },
  { name: 'sqlite with an ACL file', backend: 'sqlite', acl: true },
];

for (const { name, backend, acl } of SETUPS) {
  describe(`http fuzz on ${name}`, () => {
    let broker: TestBroker | undefined;
    let redis: RedisServer | undefined;
    let dir: string | undefined;
    before(async () => {
      if (backend === 'redis') redis = await startRedis();
      const flags: Record<string, string> = {};
      if (acl) {
        dir = mkdtempSync(join(tmpdir(), 'restmq-fuzz-'));
        writeFileSync(join(dir, 'acl.conf'), ACL);
        flags['acl'] = join(dir, 'acl.conf');
      }
      broker = await startTestBroker(backend, { ...(redis ? { redis } : {}), flags });
    });
    after(async () => {
      await broker?.close();
      await redis?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(`${SECONDS < Infinity ? 'up to ' : ''}${CASES} malformed requests: no 5xx, errors from the catalogue, witnesses intact, still healthy`, async () => {
      assert.ok(broker, 'broker started');
      const base = broker.url;
      const resting = `q-${randomUUID()}`;
      const live = `q-${randomUUID()}`;
      const streamed = `q-${randomUUID()}`;

      // The resting witness: filled before the fuzz, left alone, drained after it.
      const auth = acl ? PRODUCER_AUTH : {};
      const sendResting = producer(base, resting, auth);
      const restingSent: { key: string; value: string }[] = [];
      for (let i = 0; i < RESTING; i++) restingSent.push({ key: await sendResting(witnessValue(i), i), value: witnessValue(i) });

      // The live witness: a producer and a consumer at work on their queue during the fuzz.
      const sendLive = producer(base, live, auth);
      const liveSent: { key: string; value: string }[] = [];
      const liveGot: { key: string; value: string }[] = [];
      let produced = false;
      const producing = (async () => {
        for (let i = 0; i < LIVE; i++) liveSent.push({ key: await sendLive(witnessValue(i), i), value: witnessValue(i) });
        produced = true;
      })();
      const consuming = (async () => {
        for (;;) {
          // Read before asking: an empty reply after the producer finished means all was taken.
          const done = produced;
          const got = await takeSome(base, live, 7, 1);
          liveGot.push(...got);
          if (got.length === 0 && done) return;
        }
      })();

      // The streaming witness: one SSE consumer of a third queue, fed during the fuzz.
      const sse = await SseClient.open(base, `/sse/${streamed}`);
      assert.equal(sse.status, 200, 'the SSE witness is connected');
      const sendStreamed = producer(base, streamed, auth);
      const streamedSent: { key: string; value: string }[] = [];
      const streaming = (async () => {
        for (let i = 0; i < LIVE; i++) streamedSent.push({ key: await sendStreamed(witnessValue(i), i), value: witnessValue(i) });
      })();

      const cases = fc.sample(caseArb(FUZZ_QUEUES), { seed: SEED, numRuns: CASES });
      const started = Date.now();
      const { findings, statuses, noReply, ran } = await fuzz(broker.port, cases, started + SECONDS * 1000);
      const ms = Date.now() - started;
      await producing;
      await consuming;
      await streaming;
      console.log(`# ${name}: ${ran} cases in ${ms} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; ${noReply} without a reply`);

      assert.deepEqual(findings.slice(0, 20), [], `seed ${SEED}: ${findings.length} bad responses`);
      // The broker runs in this process: a JSON body with __proto__ / constructor.prototype must not have reached Object.prototype.
      for (const name of ['polluted', 'isAdmin', 'cmd', 'queue']) assert.equal(name in {}, false, `Object.prototype.${name} was polluted`);
      assert.equal((await fetch(`${base}/health`)).status, 200, '/health after the fuzz');
      assert.equal((await fetch(`${base}/ready`)).status, 200, '/ready after the fuzz');
      // FIFO with one consumer: exactly the messages sent, in the order sent, unchanged.
      assert.deepEqual(liveGot, liveSent, `seed ${SEED}: the live witness queue lost or changed messages`);
      const restingGot: { key: string; value: string }[] = [];
      for (let got = await takeSome(base, resting, 100); got.length > 0; got = await takeSome(base, resting, 100)) restingGot.push(...got);
      assert.deepEqual(restingGot, restingSent, `seed ${SEED}: the resting witness queue lost or changed messages`);
      try {
        await sse.waitForCount(LIVE, 10_000);
        assert.deepEqual(sse.messages, streamedSent, `seed ${SEED}: the SSE witness lost or changed messages`);
      } finally {
        sse.close();
      }
      // Every fuzz socket is closed on our side: a graceful close that hangs means the broker kept one open.
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`seed ${SEED}: the broker's graceful close did not finish in 10 s (a connection left open?)`)), 10_000);
      });
      await Promise.race([broker.close(), hung]).finally(() => clearTimeout(timer));
    });
  });
}
