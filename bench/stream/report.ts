/** Tables of the push-delivery suite (bench/stream/suite.ts). */
import type { StreamLine, StreamSuiteResult } from './types.js';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const cores = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(2));
const TRANSPORT = { comet: 'COMET', sse: 'SSE', ws: 'WebSocket' } as const;

function table(rows: string[][], rightAligned: Set<number>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function testName(l: Pick<StreamLine, 'kind' | 'transport'>, rate?: number): string {
  switch (l.kind) {
    case 'latency-idle':
      return `push latency idle, ${TRANSPORT[l.transport]}`;
    case 'latency-loaded':
      return `push latency @${rate ? `${Math.round(rate / 1000)}k` : '?'} msgs/s, ${TRANSPORT[l.transport]}`;
    case 'fanout':
      return `broadcast fan-out, ${TRANSPORT[l.transport]}`;
  }
}

/** The bare broadcaster's line for the same transport and consumer count. */
export function ceilingFor(lines: StreamLine[], l: StreamLine, transport = l.transport): StreamLine | undefined {
  return lines.find((c) => c.server === 'ceiling' && c.kind === 'fanout' && c.transport === transport && c.consumers === l.consumers);
}

export function formatStreamResults(r: StreamSuiteResult, loadedRate: number): string {
  const rows: string[][] = [['line', 'test', 'consumers', 'msgs/s', 'deliveries/s', 'p50 ms', 'p99 ms', 'max ms', '× bare', 'target', '', 'lost', 'notes']];
  for (const l of r.lines) {
    const target = r.targets.find((t) => t.server === l.server && t.kind === l.kind && t.transport === l.transport && t.consumers === l.consumers);
    const bare = l.kind === 'fanout' ? ceilingFor(r.lines, l) : undefined;
    const ratio = l.server === 'ceiling' ? (l.kind === 'fanout' ? '1.00' : '-') : bare ? (l.deliveriesPerSec / bare.deliveriesPerSec).toFixed(2) : '-';
    const notes: string[] = [];
    if (l.transport !== 'sse' && l.kind === 'fanout') {
      const sse = ceilingFor(r.lines, l, 'sse');
      if (sse) notes.push(`${(l.deliveriesPerSec / sse.deliveriesPerSec).toFixed(2)} × bare SSE`);
    }
    if (l.kind === 'latency-idle') notes.push(`${int(l.sent)} POSTs one at a time`);
    if (l.kind === 'fanout') notes.push(`${(l.batchMean ?? 0).toFixed(0)} msgs/POST, ${l.consumerProcesses} client proc${l.consumerProcesses > 1 ? 's' : ''}`);
    if (l.extra > 0) notes.push(`${int(l.extra)} duplicate deliveries`);
    notes.push(...l.problems);
    rows.push([
      l.server === 'ceiling' ? 'bare node' : l.server,
      testName(l, loadedRate),
      int(l.consumers),
      int(l.msgsPerSec),
      int(l.deliveriesPerSec),
      ms(l.lagMs.p50),
      ms(l.lagMs.p99),
      ms(l.lagMs.max),
      ratio,
      target?.text ?? (l.server === 'ceiling' ? 'ceiling' : ''),
      target ? (target.pass ? 'PASS' : 'MISS') : '',
      int(l.missing),
      notes.join('; '),
    ]);
  }
  const cpuRows: string[][] = [['line', 'test', 'consumers', 'server', 'redis', 'consumer procs', 'producer', 'irq', 'steal', 'others', 'machine', 'server µs/delivery']];
  for (const l of r.lines) {
    cpuRows.push([
      l.server === 'ceiling' ? 'bare node' : l.server,
      testName(l, loadedRate),
      int(l.consumers),
      cores(l.cpu.server),
      cores(l.cpu.redis),
      cores(l.cpu.consumers),
      cores(l.cpu.producer),
      cores(l.cpu.irq),
      cores(l.cpu.steal),
      cores(l.cpu.others),
      cores(l.cpu.machine),
      l.deliveriesPerSec > 0 ? ((1e6 * l.cpu.server) / l.deliveriesPerSec).toFixed(2) : '-',
    ]);
  }
  const missed = r.targets.filter((t) => !t.pass);
  const busiest = Math.max(0, ...r.lines.map((l) => l.cpu.others));
  const producers = [...new Set(r.lines.map((l) => `  ${testName(l, loadedRate)}: ${l.producer}`))];
  return [
    ...r.setup,
    '',
    table(rows, new Set([2, 3, 4, 5, 6, 7, 8, 11])),
    '',
    'latency (idle): from just before the POST is sent to the consumer\'s socket read holding that message (matched by key);',
    '  otherwise lag: send time stamped in the value → that read, per delivery (fan-out: sampled). deliveries/s = messages ×',
    '  consumers received, counted at the clients, over first send → last delivery. lost: sent × consumers − received.',
    '× bare: deliveries/s ÷ the bare Node broadcaster\'s (same transport, same consumers, same client processes, this run).',
    'producers:',
    ...producers,
    '',
    'CPU during each measured run, in cores (1.00 = one core busy the whole run; the box has 2):',
    table(cpuRows, new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])),
    'irq: interrupt time (on loopback most of the TCP work, charged to no process); steal: the hypervisor\'s; others: everything',
    'else on the shared box. server µs/delivery: CPU of the server process per delivery (per message for single-consumer runs).',
    ...(busiest > 0.25
      ? ['', `WARNING: other processes used up to ${busiest.toFixed(2)} cores during measured stream runs (column "others"): those lines are depressed.`]
      : []),
    '',
    ...r.failures.map((f) => `${f.server}: NOT MEASURED, ${f.error.split('\n').slice(0, 2).join(' ').trim()}`),
    missed.length === 0
      ? `stream targets: all ${r.targets.length} PASS`
      : `stream targets: ${missed.length} of ${r.targets.length} MISS (${missed.map((t) => `${t.server} ${testName(t)} ×${t.consumers}`).join(', ')}); a miss does not change the exit code`,
  ].join('\n');
}
