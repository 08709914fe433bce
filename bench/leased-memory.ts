/**
 * Memory check of leased streaming: N leased SSE consumers (default prefetch) on a queue of M
 * messages hold at most N × prefetch messages in flight, and the broker's RSS stays bounded.
 * Starts its own broker (`restmq serve`, 127.0.0.1, a free port), fills a roundrobin queue,
 * opens the consumers (none acknowledges), waits until the in-flight count stops growing,
 * prints the figures as JSON, and stops everything. Bounded: ~2 minutes to fill, ~2 to settle.
 *
 *   node --import tsx bench/leased-memory.ts [--consumers 1000] [--messages 100000] [--store memory]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { consumers: { type: 'string', default: '1000' }, messages: { type: 'string', default: '100000' }, store: { type: 'string', default: 'memory' } },
});
const CONSUMERS = Number(values.consumers);
const MESSAGES = Number(values.messages);
let deadline = Date.now() + 120_000;
const progress = (what: string) => process.stderr.write(`${new Date().toISOString()} ${what}\n`);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const broker = spawn(process.execPath, ['bin/restmq.js', 'serve', '--port', String(port), '--listen', '127.0.0.1', '--store', values.store!, '--max-streams-per-ip', '0', '--log-level', 'warn'], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
const sockets: http.ClientRequest[] = [];
try {
  while (!(await fetch(`${base}/health`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error('the broker did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const q = `leased-memory-${Date.now()}`;
  await fetch(`${base}/p/${q}`, { method: 'POST', body: new URLSearchParams({ policy: 'roundrobin' }) });
  for (let i = 0; i < MESSAGES; i += 1000) {
    const batch = JSON.stringify(Array.from({ length: Math.min(1000, MESSAGES - i) }, (_, j) => `message ${i + j} ${'x'.repeat(64)}`));
    const r = await fetch(`${base}/q/${q}?batch=1`, { method: 'POST', body: batch, headers: { 'content-type': 'application/json' } });
    if (!r.ok) throw new Error(`enqueue: ${r.status} ${await r.text()}`);
  }
  const rssFilled = rssMiB(broker.pid!);
  progress(`${MESSAGES} messages enqueued; opening ${CONSUMERS} leased SSE consumers`);
  deadline = Date.now() + 120_000;
  const received = new Array<number>(CONSUMERS).fill(0);
  for (let i = 0; i < CONSUMERS; i++) {
    const req = http.get(`${base}/sse/${q}?lease=600`, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (received[i]! += chunk.split('\ndata: ').length - 1));
    });
    req.on('error', () => {});
    sockets.push(req);
  }
  const stats = async () => (await (await fetch(`${base}/stats/${q}`)).json()) as { len: number; inflight: number; consumers: number };
  let last = -1;
  let steadySince = Date.now();
  let s = await stats();
  // Steady: the in-flight count has not changed for 3 s (or the deadline passed).
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    s = await stats();
    if (s.inflight !== last) {
      progress(`${s.consumers} consumers, ${s.inflight} in flight, ${s.len} ready`);
      last = s.inflight;
      steadySince = Date.now();
    } else if (Date.now() - steadySince > 3000 && s.consumers === CONSUMERS) break;
  }
  const report = {
    store: values.store,
    consumers: s.consumers,
    messages: MESSAGES,
    inflight: s.inflight,
    ready: s.len,
    bound: CONSUMERS * 10,
    mostReceivedByOneConsumer: Math.max(...received),
    rssMiBAfterFill: Math.round(rssFilled),
    rssMiBWithConsumers: Math.round(rssMiB(broker.pid!)),
  };
  console.log(JSON.stringify(report, null, 2));
  if (report.inflight > report.bound) process.exitCode = 1;
} finally {
  for (const r of sockets) r.destroy();
  broker.kill('SIGTERM');
}
