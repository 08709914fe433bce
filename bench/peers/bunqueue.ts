/**
 * bunqueue (npm `bunqueue`): a job-queue server for Bun with an HTTP API over one SQLite file,
 * the embedded-store peer of our SQLite broker. Bun itself comes from npm (`bun`, its binary
 * ships inside the registry package), so nothing is installed system-wide: both go into
 * .tmp/peers/bunqueue on first use, at pinned versions.
 *
 * The HTTP calls measured (its own API):
 *   POST /queues/<q>/jobs       {"data": ...}                     push one job
 *   POST /queues/<q>/jobs/bulk  {"jobs": [{"data": ...}, ...]}    push many
 *   GET  /queues/<q>/jobs       → {"ok":true,"job":{"id":...}}    pull one (it becomes active)
 *   POST /jobs/<id>/ack         {}                                 complete it
 *
 * bunqueue answers a push before its SQLite write (a write buffer flushed every few ms) unless
 * the job says `"durable": true`; our broker answers after the commit. The bench shows both.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/harness/redis.js';
import { onCleanup, processTree, removeDir, ROOT, stopChild, tempDir } from '../procs.js';
import type { PairSpec } from '../http-load.js';
import type { RunningServer } from '../servers.js';

const VERSIONS = ['bun@1.4.5', 'bunqueue@2.9.5'];
const DIR = join(fileURLToPath(ROOT), '.tmp', 'peers', 'bunqueue');
const BUN = join(DIR, 'node_modules', '.bin', 'bun');
const CLI = join(DIR, 'node_modules', 'bunqueue', 'dist', 'cli', 'index.js');

/** Installs bun and bunqueue from npm into .tmp/peers/bunqueue when missing; throws with npm's words. */
export function ensureBunqueue(log: (msg: string) => void): void {
  if (existsSync(BUN) && existsSync(CLI)) return;
  mkdirSync(DIR, { recursive: true });
  log(`npm install ${VERSIONS.join(' ')} into ${DIR}`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', DIR, ...VERSIONS], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0 || !existsSync(BUN) || !existsSync(CLI)) {
    throw new Error(`could not install bunqueue: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ') || `npm exited ${r.status ?? r.signal}`}`);
  }
}

/** A bunqueue server on free loopback ports with its own SQLite file; ready when its HTTP port answers. */
export async function startBunqueue(log: (msg: string) => void): Promise<RunningServer> {
  ensureBunqueue(log);
  const dir = tempDir('restmq-bench-bunqueue-');
  const [tcpPort, httpPort] = [await freePort(), await freePort()];
  const child = spawn(BUN, [CLI, 'start', '--host', '127.0.0.1', '--tcp-port', String(tcpPort), '--http-port', String(httpPort), '--data-path', join(dir, 'bunqueue.db')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // bunqueue limits each client to 10,000 HTTP requests a minute by default (429 beyond),
    // which a load test passes in a second: lift it, as one would for a benchmark of the server.
    env: { ...process.env, NO_COLOR: '1', RATE_LIMIT_MAX_REQUESTS: '1000000000' },
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
  const stop = async () => {
    off();
    await stopChild(child);
    removeDir(dir);
  };
  const off = onCleanup(stop);
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bunqueue exited (${child.exitCode}): ${stderr.trim()}`);
    try {
      const res = await fetch(`${url}/queues`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`bunqueue did not answer on ${url} within 30 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name: 'bunqueue', url, pid: child.pid ?? -1, stop };
}

/** Processes to charge CPU to: bun and any worker it starts. */
export const bunqueuePids = (server: RunningServer) => () => processTree(server.pid);

/** One job's body; `durable` asks bunqueue to write it before answering. */
export const pushBody = (value: string, durable: boolean) => JSON.stringify(durable ? { data: { value }, durable: true } : { data: { value } });

export const bulkBody = (value: string, n: number) => JSON.stringify({ jobs: Array.from({ length: n }, () => ({ data: { value } })) });

/** Pull one job, then ack it by id: bunqueue's take + settle round trip. */
export function pullAckPair(queue: string): PairSpec {
  return {
    take: { method: 'GET', path: `/queues/${queue}/jobs` },
    token: (status, body) => {
      if (status !== 200) return undefined;
      if (/"job":\s*null/.test(body)) return 'empty';
      return /"job":\s*\{"id":"([^"]+)"/.exec(body)?.[1];
    },
    ack: (id) => ({ method: 'POST', path: `/jobs/${id}/ack`, body: '{}' }),
  };
}

/** Fills `queue` with `count` jobs through the bulk route (unmeasured), 4 requests at a time. */
export async function prefillBunqueue(url: string, queue: string, count: number, value: string): Promise<void> {
  const per = 1000;
  let left = count;
  const worker = async () => {
    while (left > 0) {
      const n = Math.min(per, left);
      left -= n;
      const res = await fetch(`${url}/queues/${queue}/jobs/bulk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bulkBody(value, n) });
      const text = await res.text();
      if (!res.ok) throw new Error(`bunqueue prefill of ${queue} failed: ${res.status} ${text.slice(0, 200)}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
