/**
 * The store's ceiling: `redis-benchmark` against the bench's private redis-server, for the
 * commands the broker's scripts are made of: LPUSH pipelined 16 deep (what a batch enqueue
 * could reach at best), plain LPUSH and RPOP from 50 connections (one command per round trip,
 * as a single-message POST or GET), and EVAL of a one-line Lua LPUSH (what running a script
 * costs over the bare command). No HTTP in the way: the upper bound of any Redis-backed
 * broker on this box.
 */
import { spawn } from 'node:child_process';
import { processesCpuSeconds } from '../procs.js';
import type { PeerLine } from './lines.js';

interface Case {
  test: string;
  args: string[];
  conns: number;
}

function cases(n: number): Case[] {
  return [
    { test: 'LPUSH, pipelined 16 deep (-P 16)', args: ['-n', String(n * 4), '-P', '16', '-t', 'lpush'], conns: 50 },
    { test: 'LPUSH (one per round trip)', args: ['-n', String(n), '-t', 'lpush'], conns: 50 },
    { test: 'RPOP (one per round trip)', args: ['-n', String(n), '-t', 'rpop'], conns: 50 },
    { test: 'EVAL of a one-line Lua LPUSH', args: ['-n', String(n), 'EVAL', "return redis.call('LPUSH', KEYS[1], ARGV[1])", '1', 'bench:evallist', 'value'], conns: 50 },
  ];
}

function run(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-c', '50', '--csv', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(guard);
      if (code === 0) resolve(out);
      else reject(new Error(`redis-benchmark ${args.join(' ')} failed (${code}): ${err.trim().slice(0, 200)}`));
    });
  });
}

/** The CSV row after the header: rps, avg, min, p50, p95, p99, max. */
function parse(csv: string): { rps: number; p50: number; p99: number } {
  const rows = csv.trim().split('\n').filter((l) => !l.startsWith('"test"'));
  // The test name of a custom command (EVAL ...) holds commas: count the fields from the end.
  const cells = (rows.at(-1) ?? '').split(',').slice(-7).map((c) => Number(c.replace(/"/g, '')));
  return { rps: cells[0] ?? 0, p50: cells[3] ?? 0, p99: cells[5] ?? 0 };
}

/** One line per case; `requests` per unpipelined case (4 × that pipelined). */
export async function redisCeiling(port: number, redisPid: number, requests: number, log: (msg: string) => void): Promise<PeerLine[]> {
  const lines: PeerLine[] = [];
  for (const c of cases(requests)) {
    log(`redis-benchmark: ${c.test}`);
    const t0 = process.hrtime.bigint();
    const cpu0 = processesCpuSeconds([redisPid]);
    const r = parse(await run(port, c.args));
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = processesCpuSeconds([redisPid]) - cpu0;
    const ops = r.rps * wall;
    lines.push({
      group: 'ceiling',
      server: 'redis-benchmark',
      test: c.test,
      conns: c.conns,
      rate: r.rps,
      p50Ms: r.p50,
      p99Ms: r.p99,
      ...(ops > 0 ? { cpuUsPerMsg: (cpu * 1e6) / ops } : {}),
      cores: { server: cpu / wall, store: 0, others: 0 },
      notes: ['redis-server alone; ops/s, not HTTP'],
    });
  }
  return lines;
}
