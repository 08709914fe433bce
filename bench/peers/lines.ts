/**
 * One row of the bench:peers table, and how an HTTP row is measured: a warm-up, then one
 * measured run of one or more load specs at once (two brokers are loaded side by side), with
 * the CPU and memory of the server's processes (and of the store's) read from /proc.
 */
import type { BenchConfig } from '../config.js';
import type { LoadResult, LoadSpec, LoadTool } from '../http-load.js';
import { machineCpuSeconds, processesCpuSeconds, processesRssBytes } from '../procs.js';

export type Group = 'ceiling' | 'ours' | 'peer';

export interface PeerLine {
  /** Stable name the targets and ratios refer to ("bare.post", "redis.get", "nchan.sse.1000"...). */
  id?: string;
  group: Group;
  /** Who served it: "bare fastify", "restmq (redis)", "rsmq + fastify", "nchan", ... */
  server: string;
  /** What was measured: "send (POST one message)", "SSE fan-out", ... */
  test: string;
  /** Connections or subscribers. */
  conns?: number;
  /** Messages per second (deliveries per second for fan-out, ops for redis-benchmark). */
  rate?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** CPU of the server's processes and of its store (redis-server) per message, µs. */
  cpuUsPerMsg?: number;
  /** Cores used during the run: server, store, everyone else on the box. */
  cores?: { server: number; store: number; others: number };
  /** Resident memory of server + store at the end of the run, bytes. */
  rssBytes?: number;
  errors?: number;
  notes: string[];
  /** Why there is no figure (peer not reachable, could not start...). */
  na?: string;
}

export interface HttpCtx {
  config: BenchConfig;
  tool: LoadTool;
  log: (msg: string) => void;
}

export interface HttpRow {
  id: string;
  group: Group;
  server: string;
  test: string;
  specs: LoadSpec[];
  /** Processes of the server(s) under test, and of their store; read at the start of the run. */
  serverPids: () => number[];
  storePids?: () => number[];
  /** Messages one run moved (default: 2xx responses, 204 excepted). */
  count?: (load: LoadResult) => number;
  /** Extra notes from the run. */
  note?: (load: LoadResult, line: PeerLine) => string[];
  /** Skip the warm-up (a later round of an interleaved comparison: already warm). */
  warm?: boolean;
}

function sum(results: LoadResult[], f: (r: LoadResult) => number): number {
  return results.reduce((a, r) => a + f(r), 0);
}

export function ok2xx(load: LoadResult): number {
  let n = 0;
  for (const [code, k] of Object.entries(load.status)) if (Number(code) >= 200 && Number(code) < 300 && code !== '204') n += k;
  return n;
}

function failed(load: LoadResult): number {
  let n = load.errors + load.timeouts;
  for (const [code, k] of Object.entries(load.status)) if (Number(code) >= 300) n += k;
  return n;
}

/** Warm-up (unmeasured), then the measured run of every spec of the row at once. */
export async function measureHttp(ctx: HttpCtx, row: HttpRow): Promise<PeerLine> {
  const { config, tool } = ctx;
  ctx.log(`${row.server}: ${row.test}: ${row.warm ? '' : `warm-up ${config.warmupSeconds} s, then `}${row.specs[0]?.seconds ?? config.seconds} s`);
  if (!row.warm) await Promise.all(row.specs.map((s) => tool.run({ ...s, seconds: config.warmupSeconds })));
  const server = row.serverPids();
  const store = row.storePids?.() ?? [];
  const t0 = process.hrtime.bigint();
  const s0 = processesCpuSeconds(server);
  const r0 = processesCpuSeconds(store);
  const m0 = machineCpuSeconds();
  const loads = await Promise.all(row.specs.map((s) => tool.run(s)));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const sCpu = processesCpuSeconds(server) - s0;
  const rCpu = processesCpuSeconds(store) - r0;
  const machine = machineCpuSeconds().busy - m0.busy;
  const gen = sum(loads, (l) => l.generatorCpuSeconds);
  const seconds = Math.max(...loads.map((l) => l.seconds));
  const msgs = sum(loads, row.count ?? ok2xx);
  const rate = seconds > 0 ? msgs / seconds : 0;
  const line: PeerLine = {
    id: row.id,
    group: row.group,
    server: row.server,
    test: row.test,
    conns: row.specs.reduce((a, s) => a + s.connections, 0),
    rate,
    // Side by side runs: the worse of the runs (each is its own histogram).
    p50Ms: Math.max(...loads.map((l) => l.latencyMs.p50)),
    p99Ms: Math.max(...loads.map((l) => l.latencyMs.p99)),
    cpuUsPerMsg: msgs > 0 ? ((sCpu + rCpu) * 1e6) / msgs : undefined,
    cores: { server: sCpu / wall, store: rCpu / wall, others: Math.max(0, (machine - sCpu - rCpu - gen) / wall) },
    rssBytes: processesRssBytes([...server, ...store]),
    errors: sum(loads, failed),
    notes: [],
  };
  for (const l of loads) line.notes.push(...(row.note?.(l, line) ?? []));
  return line;
}

/**
 * Rows measured in interleaved rounds (A B C, A B C, ...), so that a change in what else runs
 * on the box hits every side of a comparison alike: one row per id, the round with the median
 * rate, with every round's rate in the notes.
 */
export function medianRows(rounds: PeerLine[][]): PeerLine[] {
  const byId = new Map<string, PeerLine[]>();
  for (const round of rounds) for (const l of round) if (l.id && !l.na) byId.set(l.id, [...(byId.get(l.id) ?? []), l]);
  const out: PeerLine[] = [];
  for (const ls of byId.values()) {
    const sorted = [...ls].sort((a, b) => (a.rate ?? 0) - (b.rate ?? 0));
    const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
    const rates = ls.map((l) => Math.round(l.rate ?? 0).toLocaleString('en-US')).join(' / ');
    out.push({ ...mid, notes: [`median of ${ls.length} interleaved rounds: ${rates}`, ...mid.notes] });
  }
  // A row that failed in every round stays visible as n/a.
  for (const round of rounds) for (const l of round) if (l.na && l.id && !byId.has(l.id) && !out.some((o) => o.id === l.id)) out.push(l);
  return out;
}

export function naLine(id: string, group: Group, server: string, test: string, na: string): PeerLine {
  return { id, group, server, test, notes: [], na };
}
