/**
 * The one table of `npm run bench:peers`, the ratios ours/peer, the project's goals, and the
 * JSON written to bench/results/peers-<date>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerLine } from './lines.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined) => (n === undefined ? '-' : n >= 100 ? n.toFixed(0) : n.toFixed(2));

/** Our line, the line it is compared with, how the ratio is named, and the goal if any. */
interface Comparison {
  ours: string;
  peer: string;
  label: string;
  goal?: number;
}

const COMPARISONS: Comparison[] = [
  { ours: 'redis.post', peer: 'bare.post', label: 'bare POST', goal: 0.6 },
  { ours: 'redis.get', peer: 'bare.get', label: 'bare GET', goal: 0.7 },
  { ours: 'redis.post', peer: 'rsmq.send', label: 'rsmq send', goal: 1.5 },
  { ours: 'redis.get', peer: 'rsmq.receive', label: 'rsmq receive', goal: 1.5 },
  { ours: 'redis.lease', peer: 'rsmq.lease', label: 'rsmq receive+delete', goal: 1.2 },
  { ours: 'redis.post', peer: 'rabbit.publish', label: 'rabbitmq publish' },
  { ours: 'redis.get', peer: 'rabbit.get', label: 'rabbitmq get' },
  { ours: 'redis.batch', peer: 'redisbench.lpush16', label: 'redis-benchmark -P 16 LPUSH', goal: 0.3 },
  { ours: 'sqlite.post', peer: 'bare.post', label: 'bare POST' },
  { ours: 'sqlite.get', peer: 'bare.get', label: 'bare GET' },
  { ours: 'sqlite.post', peer: 'redis.post', label: 'our redis POST', goal: 0.8 },
  { ours: 'sqlite.get', peer: 'redis.get', label: 'our redis GET', goal: 0.8 },
  { ours: 'sqlite.post', peer: 'bunqueue.push', label: 'bunqueue push (reply before write)', goal: 1 },
  { ours: 'sqlite.post', peer: 'bunqueue.pushdurable', label: 'bunqueue push durable' },
  { ours: 'sqlite.lease', peer: 'bunqueue.pullack', label: 'bunqueue pull + ack', goal: 1 },
  { ours: 'sqlite.batch', peer: 'bunqueue.bulk', label: 'bunqueue bulk push', goal: 1 },
  { ours: 'redis.sse.1', peer: 'nchan.sse.1', label: 'nchan' },
  { ours: 'redis.sse.100', peer: 'nchan.sse.100', label: 'nchan' },
  { ours: 'redis.sse.1000', peer: 'nchan.sse.1000', label: 'nchan', goal: 3 },
  { ours: 'redis.latency.sse', peer: 'nchan.latency.sse', label: 'nchan (p50 latency; < 1 is faster)' },
  { ours: 'redis2.post', peer: 'redis.post', label: '1 broker' },
  { ours: 'redis2.get', peer: 'redis.get', label: '1 broker' },
  { ours: 'redisw2.post', peer: 'redis.post', label: '1 worker' },
  { ours: 'redisdefault.post', peer: 'redislogwarn.post', label: '--log-level warn', goal: 0.9 },
  { ours: 'redisaccess.post', peer: 'redislogwarn.post', label: '--log-level warn' },
  { ours: 'redisw2.get', peer: 'redis.get', label: '1 worker' },
];

/** Mean rate of the line `id` (the bare server is measured at the start and at the end: "bare.post.start"/".end"). */
function rateOf(lines: PeerLine[], id: string): number | undefined {
  const xs = lines.filter((l) => (l.id === id || l.id?.startsWith(`${id}.`)) && l.rate !== undefined && !l.na).map((l) => l.rate!);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

/** Mean CPU µs per message of the line `id` (start and end for the bare server). */
function cpuOf(lines: PeerLine[], id: string): number | undefined {
  const xs = lines.filter((l) => (l.id === id || l.id?.startsWith(`${id}.`)) && l.cpuUsPerMsg !== undefined && !l.na).map((l) => l.cpuUsPerMsg!);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

function lineOf(lines: PeerLine[], id: string): PeerLine | undefined {
  return lines.find((l) => l.id === id && !l.na);
}

export interface Ratio {
  ours: string;
  peer: string;
  label: string;
  ratio: number;
  /**
   * The peer's CPU per message ÷ ours (server + store): the throughput ratio both would have
   * with the same cores. On a box shared with other work, each run gets whatever the scheduler
   * leaves, so this is the steadier of the two.
   */
  perCore?: number;
  goal?: number;
  pass?: boolean;
}

export interface TargetCheck {
  text: string;
  value: string;
  pass: boolean | undefined;
}

export function ratios(lines: PeerLine[]): Ratio[] {
  const out: Ratio[] = [];
  for (const c of COMPARISONS) {
    const latency = c.ours.includes('.latency.');
    const a = latency ? lineOf(lines, c.ours)?.p50Ms : rateOf(lines, c.ours);
    const b = latency ? lineOf(lines, c.peer)?.p50Ms : rateOf(lines, c.peer);
    if (a === undefined || b === undefined || b === 0) continue;
    const cpuA = latency ? undefined : cpuOf(lines, c.ours);
    const cpuB = latency ? undefined : cpuOf(lines, c.peer);
    out.push({ ...c, ratio: a / b, ...(cpuA && cpuB ? { perCore: cpuB / cpuA } : {}), ...(c.goal === undefined ? {} : { pass: a / b >= c.goal }) });
  }
  return out;
}

export function targets(lines: PeerLine[], rs: Ratio[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const find = (ours: string, peer: string) => rs.find((r) => r.ours === ours && r.peer === peer);
  const ratioTarget = (text: string, ours: string, peer: string, goal: number) => {
    const r = find(ours, peer);
    const perCore = r?.perCore === undefined ? '' : ` (per core, from CPU µs/msg: ${r.perCore.toFixed(2)} ×)`;
    out.push({ text, value: r ? `${r.ratio.toFixed(2)} ×${perCore}` : 'not measured', pass: r ? r.ratio >= goal : undefined });
  };
  ratioTarget('Redis POST ≥ 0.6 × bare Fastify POST', 'redis.post', 'bare.post', 0.6);
  ratioTarget('Redis GET ≥ 0.7 × bare Fastify GET', 'redis.get', 'bare.get', 0.7);
  ratioTarget('Redis POST ≥ 1.5 × RSMQ send behind Fastify', 'redis.post', 'rsmq.send', 1.5);
  ratioTarget('Redis GET ≥ 1.5 × RSMQ receive behind Fastify', 'redis.get', 'rsmq.receive', 1.5);
  ratioTarget('Redis lease + ack ≥ 1.2 × RSMQ receive + delete', 'redis.lease', 'rsmq.lease', 1.2);
  ratioTarget('default log settings cost ≤ 10 % (POST ≥ 0.9 × --log-level warn)', 'redisdefault.post', 'redislogwarn.post', 0.9);
  ratioTarget('SQLite POST ≥ 0.8 × our Redis POST', 'sqlite.post', 'redis.post', 0.8);
  ratioTarget('SQLite GET ≥ 0.8 × our Redis GET', 'sqlite.get', 'redis.get', 0.8);
  for (const id of ['sqlite.post', 'sqlite.get']) {
    const l = lineOf(lines, id);
    out.push({ text: `SQLite ${id.endsWith('post') ? 'POST' : 'GET'} p99 ≤ 20 ms at ${l?.conns ?? '?'} connections`, value: l ? `${ms(l.p99Ms)} ms` : 'not measured', pass: l ? (l.p99Ms ?? Infinity) <= 20 : undefined });
  }
  ratioTarget('SQLite single push ≥ 1.0 × bunqueue push', 'sqlite.post', 'bunqueue.push', 1);
  ratioTarget('SQLite lease + ack ≥ 1.0 × bunqueue pull + ack', 'sqlite.lease', 'bunqueue.pullack', 1);
  ratioTarget('SQLite batch of 100 ≥ 1.0 × bunqueue bulk push', 'sqlite.batch', 'bunqueue.bulk', 1);
  const sse = lineOf(lines, 'redis.sse.1000');
  const r = find('redis.sse.1000', 'nchan.sse.1000');
  out.push({
    text: '1,000 SSE subscribers: ≥ 3 × Nchan deliveries/s, p99 lag < 100 ms',
    value: sse && r ? `${r.ratio.toFixed(2)} ×, p99 ${ms(sse.p99Ms)} ms` : 'not measured',
    pass: sse && r ? r.ratio >= 3 && (sse.p99Ms ?? Infinity) < 100 && (sse.errors ?? 0) === 0 : undefined,
  });
  const idle = lineOf(lines, 'redis.latency.sse');
  out.push({ text: 'push latency p50 < 2 ms idle (SSE)', value: idle ? `${ms(idle.p50Ms)} ms` : 'not measured', pass: idle ? (idle.p50Ms ?? Infinity) < 2 : undefined });
  for (const store of ['sqlite', 'memory'] as const) {
    const l = lineOf(lines, `${store}.latency.sse`);
    out.push({ text: `${store === 'sqlite' ? 'SQLite' : 'memory'} store: push latency p50 < 2 ms idle (SSE)`, value: l ? `${ms(l.p50Ms)} ms` : 'not measured', pass: l ? (l.p50Ms ?? Infinity) < 2 : undefined });
  }
  ratioTarget('batch enqueue ≥ 0.3 × redis-benchmark -P 16 LPUSH', 'redis.batch', 'redisbench.lpush16', 0.3);
  return out;
}

function table(rows: string[][], right: Set<number>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function formatTable(lines: PeerLine[], rs: Ratio[], checks: TargetCheck[]): string {
  const rows: string[][] = [['group', 'server', 'test', 'conns', 'msgs/s', 'p50 ms', 'p99 ms', 'CPU µs/msg', 'cores srv+store', 'others', 'RSS MB', 'ours/peer', 'errors', 'notes']];
  for (const l of lines) {
    if (l.na) {
      rows.push([l.group, l.server, l.test, '', `n/a (${l.na.split('\n')[0]!.slice(0, 140)})`, '', '', '', '', '', '', '', '', '']);
      continue;
    }
    const mine = rs
      .filter((r) => r.ours === l.id)
      .map((r) => `${r.ratio.toFixed(2)} × ${r.label}${r.goal === undefined ? '' : r.pass ? ' ✓' : ` ✗ (≥ ${r.goal})`}${r.perCore === undefined ? '' : ` [per core ${r.perCore.toFixed(2)}]`}`);
    rows.push([
      l.group,
      l.server,
      l.test,
      l.conns === undefined ? '' : int(l.conns),
      l.rate === undefined ? '-' : int(l.rate),
      ms(l.p50Ms),
      ms(l.p99Ms),
      l.cpuUsPerMsg === undefined ? '-' : l.cpuUsPerMsg.toFixed(1),
      l.cores ? `${l.cores.server.toFixed(2)}+${l.cores.store.toFixed(2)}` : '-',
      // redis-benchmark rows do not read the machine's CPU.
      l.cores && l.server !== 'redis-benchmark' ? l.cores.others.toFixed(2) : '-',
      l.rssBytes === undefined ? '-' : (l.rssBytes / 2 ** 20).toFixed(0),
      mine.join('; '),
      l.errors === undefined ? '' : int(l.errors),
      l.notes.join('; '),
    ]);
  }
  const out = [table(rows, new Set([3, 4, 5, 6, 7, 9, 10, 12]))];
  out.push(
    '',
    'ours/peer: throughput ratio (✓/✗: against the goal); [per core]: the peer\'s CPU µs/msg ÷ ours, i.e. the ratio with equal cores,',
    '           steadier than throughput when other work shares the box (see "cores srv+store": what each run actually got).',
    'others: cores used meanwhile by processes outside the run (other people\'s work on a shared box; for push rows the',
    '        consumer processes, producer and interrupts are not counted there but in the notes). 2 cores in all.',
    '',
    'goals (on throughput; a miss never changes the exit code):',
  );
  for (const c of checks) out.push(`  ${c.pass === undefined ? 'n/a ' : c.pass ? 'PASS' : 'MISS'}  ${c.text}: ${c.value}`);
  return out.join('\n');
}

export function writeJson(dir: string, startedAt: Date, quick: boolean, body: unknown): string {
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const file = join(dir, `peers-${stamp}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
  return file;
}
