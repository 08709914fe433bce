/** Prints the bench tables and writes the JSON results (bench/results/<ISO date>.json). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from './config.js';
import type { Line, SuiteResult } from './suite.js';

export interface RunInfo {
  startedAt: Date;
  tool: string;
  config: BenchConfig;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const cores = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(2));

function table(rows: string[][], rightAligned: Set<number>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function header(info: RunInfo): string {
  const c = info.config;
  const cpu = cpus();
  const suites = [c.suites.http ? 'HTTP routes' : '', c.suites.stream ? 'push delivery (COMET/SSE/WebSocket)' : ''].filter(Boolean).join(' + ');
  return [
    `RestMQ bench, ${info.startedAt.toISOString()}${c.quick ? '  [BENCH_QUICK: smoke run, figures are not comparable]' : ''}; suites: ${suites}`,
    ...(c.suites.http
      ? [`load: ${c.connections} keep-alive connections, ${c.seconds} s per run after a ${c.warmupSeconds} s warm-up, at most ${int(c.maxRequests)} responses per run, 127.0.0.1 only; generator: ${info.tool}`]
      : []),
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} at start; Node ${process.version}`,
    `note: the generator (this process), the server under test and redis-server all share these ${cpu.length} cores; every figure`,
    `      is "with the generator on the box" and only ratios measured in the same run mean much (noise ±10-15 %).`,
    `note: brokers run with --log-level ${c.brokerLogLevel}: logging one line per request costs CPU and is not what this measures`,
    `      (BENCH_LOG_LEVEL=info shows that cost). Each server is its own process; the bare Fastify ceiling logs nothing.`,
  ].join('\n');
}

function notes(l: Line, all: Line[]): string {
  const out: string[] = [];
  if (l.server === 'ceiling') {
    const pair = all.filter((x) => x.server === 'ceiling' && x.scenario === l.scenario);
    const [a, b] = [pair.find((x) => x.phase === 'start'), pair.find((x) => x.phase === 'end')];
    if (a && b) out.push(`start ${int(a.msgsPerSec)} / end ${int(b.msgsPerSec)}`);
  }
  if (l.scenario === 'lease' && l.vsGet !== undefined) out.push(`${l.vsGet.toFixed(2)} × GET; pair = GET + DELETE, p50/p99 of the pair`);
  if ((l.scenario === 'get' || l.scenario === 'lease') && l.server !== 'ceiling') out.push(`empty (204) ${int(l.empty)}${l.prefilled ? ` of ${int(l.prefilled)} prefilled` : ''}`);
  if (l.scenario === 'lease' && l.tool !== 'autocannon') out.push(l.tool);
  if (l.scenario === 'batch') out.push(`${int(l.reqPerSec)} req/s × 100`);
  return out.join('; ');
}

export function formatResults(result: SuiteResult): string {
  const { lines, ceiling, targets } = result;
  const shown: Line[] = [];
  // One ceiling line per method (mean of start and end), then the backends in run order.
  for (const scenario of ['post', 'get'] as const) {
    const first = lines.find((l) => l.server === 'ceiling' && l.scenario === scenario && l.phase === 'start');
    const pair = lines.filter((l) => l.server === 'ceiling' && l.scenario === scenario);
    if (!first) continue;
    const avg = (f: (l: Line) => number) => pair.reduce((a, l) => a + f(l), 0) / pair.length;
    shown.push({ ...first, phase: undefined, msgsPerSec: ceiling[scenario], reqPerSec: avg((l) => l.reqPerSec), p50Ms: avg((l) => l.p50Ms), p99Ms: avg((l) => l.p99Ms), failed: avg((l) => l.failed) });
  }
  shown.push(...lines.filter((l) => l.server !== 'ceiling'));

  const rows: string[][] = [['line', 'route', 'msgs/s', 'req/s', 'p50 ms', 'p99 ms', '× bare', 'target', '', 'errors', 'notes']];
  for (const l of shown) {
    const target = targets.find((t) => t.server === l.server && t.scenario === l.scenario);
    const ratio = l.server === 'ceiling' ? 1 : l.scenario === 'post' || l.scenario === 'get' ? l.msgsPerSec / ceiling[l.scenario] : undefined;
    rows.push([
      l.server === 'ceiling' ? 'bare fastify' : l.server,
      l.route,
      int(l.msgsPerSec),
      int(l.reqPerSec),
      ms(l.p50Ms),
      ms(l.p99Ms),
      ratio === undefined ? '-' : ratio.toFixed(2),
      target?.text ?? (l.server === 'ceiling' ? 'ceiling (mean of start, end)' : '(no target)'),
      target ? (target.pass ? 'PASS' : 'MISS') : '',
      int(l.failed),
      notes(l, lines),
    ]);
  }
  const cpuRows: string[][] = [['line', 'route', 'phase', 'generator', 'server', 'redis', 'others', 'machine', 'server µs/req', 'redis µs/msg']];
  for (const l of lines) {
    const msgs = l.msgsPerSec || 1;
    cpuRows.push([
      l.server === 'ceiling' ? 'bare fastify' : l.server,
      l.route,
      l.phase ?? '',
      cores(l.cpu.generator),
      cores(l.cpu.server),
      cores(l.cpu.redis),
      cores(l.cpu.others),
      cores(l.cpu.machine),
      (l.reqPerSec > 0 ? (1e6 * l.cpu.server) / l.reqPerSec : 0).toFixed(1),
      l.cpu.redis === undefined ? '-' : ((1e6 * l.cpu.redis) / msgs).toFixed(1),
    ]);
  }
  const missed = targets.filter((t) => !t.pass);
  const failed = result.failures.map((f) => `${f.server}: NOT MEASURED, ${f.error.split('\n').slice(0, 2).join(' ').trim()}`);
  const busiest = Math.max(...lines.map((l) => l.cpu.others));
  const warning =
    busiest > 0.25
      ? [
          '',
          `WARNING: other processes used up to ${busiest.toFixed(2)} cores during measured runs (column "others"): the lines where`,
          '         that is high are depressed and their ratios unreliable; rerun when the box is quiet.',
        ]
      : [];
  return [
    table(rows, new Set([2, 3, 4, 5, 6, 9])),
    '',
    '× bare: msgs/s ÷ the bare Fastify req/s of the same method (mean of the start and end ceiling runs).',
    'msgs/s: messages moved per second (2xx POSTs; 200 GETs, not 204s; 2xx batches × 100; lease + ack pairs completed). errors: non-2xx + socket errors + timeouts.',
    '× GET (lease line): its msgs/s ÷ the plain GET msgs/s of the same backend in this run (no target).',
    '',
    'CPU during each measured run, in cores (1.00 = one core busy the whole run; the box has 2):',
    table(cpuRows, new Set([3, 4, 5, 6, 7, 8, 9])),
    'server µs/req: CPU the server process spent per request (all its threads); less sensitive to a busy box than req/s.',
    ...warning,
    '',
    ...failed,
    missed.length === 0
      ? `targets: all ${targets.length} PASS`
      : `targets: ${missed.length} of ${targets.length} MISS (${missed.map((t) => `${t.server} ${t.scenario}`).join(', ')}); a miss does not change the exit code`,
    ...(failed.length > 0 ? ['exit code 1: a backend could not be measured'] : []),
  ].join('\n');
}

/** Writes the results as JSON; returns the path. */
/** `result`: the HTTP suite's (undefined when it did not run, BENCH_ONLY=stream); `extra`: e.g. `{ stream }`. */
export function writeResults(info: RunInfo, result: SuiteResult | undefined, extra: Record<string, unknown> = {}): string {
  mkdirSync(info.config.resultsDir, { recursive: true });
  // ISO 8601 basic format (no colons): safe as a file name everywhere.
  const stamp = info.startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const file = join(info.config.resultsDir, `${stamp}${info.config.quick ? '-quick' : ''}.json`);
  const { resultsDir: _dir, ...config } = info.config;
  writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: info.startedAt.toISOString(),
        tool: info.tool,
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model.trim(),
        loadavgAtEnd: loadavg(),
        config,
        ...(result ?? {}),
        ...extra,
      },
      null,
      2,
    ) + '\n',
  );
  return file;
}
