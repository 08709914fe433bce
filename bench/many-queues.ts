/**
 * Cost of many queues on SQLite: QUEUES queues with one message each are written straight
 * through the store (batches of enqueues, group-committed), then a broker process is started
 * on the file and scraped. Prints the time of each GET /metrics and GET /stats/, the reply
 * sizes, and the broker's RSS before the first request, after the scrapes and after them all
 * (lasting growth; 3 s after each, for the garbage collector).
 * Bounded: QUEUES (default 100,000) and SCRAPES (default 3) requests of each kind.
 *
 *   npm run bench:queues
 *   QUEUES=20000 SCRAPES=5 npm run bench:queues
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { spawnBroker } from '../test/harness/broker.js';

const QUEUES = Number(process.env.QUEUES ?? 100_000);
const SCRAPES = Number(process.env.SCRAPES ?? 3);
const BATCH = 2000;

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function timed(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const r = await fetch(url);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${text.slice(0, 200)}`);
  return { ms: Math.round(performance.now() - t0), bytes: Buffer.byteLength(text) };
}

const dir = mkdtempSync(join(tmpdir(), 'restmq-bench-queues-'));
const path = join(dir, 'restmq.db');
try {
  const t0 = performance.now();
  const store = await openSqliteStore({ path, synchronous: 'NORMAL' });
  for (let i = 0; i < QUEUES; i += BATCH) {
    const n = Math.min(BATCH, QUEUES - i);
    await Promise.all(Array.from({ length: n }, (_, j) => store.enqueue(`bench-q-${i + j}`, ['m'])));
  }
  await store.close();
  console.log(`${QUEUES} queues written in ${Math.round(performance.now() - t0)} ms`);

  const broker = await spawnBroker(['--store', `sqlite:${path}`, '--log-level', 'warn'], { timeoutMs: 120_000 });
  try {
    const pid = broker.child.pid!;
    const before = rssMb(pid);
    const lines: string[] = [];
    for (let i = 0; i < SCRAPES; i++) {
      const m = await timed(`${broker.url}/metrics`);
      lines.push(`GET /metrics  ${m.ms} ms, ${(m.bytes / 1024).toFixed(0)} KiB`);
    }
    // What the scrapes alone keep, before /stats/ adds its own.
    await new Promise((r) => setTimeout(r, 3000));
    const afterMetrics = rssMb(pid);
    for (let i = 0; i < SCRAPES; i++) {
      const s = await timed(`${broker.url}/stats/`);
      lines.push(`GET /stats/   ${s.ms} ms, ${(s.bytes / 1024).toFixed(0)} KiB`);
    }
    const d = await timed(`${broker.url}/dashboard/api/queues`).catch((err: Error) => ({ ms: -1, bytes: 0, err }));
    lines.push(`GET /dashboard/api/queues  ${d.ms} ms, ${(d.bytes / 1024).toFixed(0)} KiB`);
    // Let the garbage collector catch up before reading what stays.
    await new Promise((r) => setTimeout(r, 3000));
    const after = rssMb(pid);
    for (const l of lines) console.log(l);
    console.log(`broker RSS: ${before} MB before, ${afterMetrics} MB after the scrapes, ${after} MB after all (+${after - before} MB)`);
    console.log(`load average: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    await broker.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
