/**
 * The load generator: a fixed number of keep-alive connections hammering one URL for a bounded
 * time and a bounded number of requests. wrk (one thread, `bench/wrk.lua`) when it is on the
 * PATH or BENCH_WRK points at it, autocannon (in this process) otherwise; BENCH_TOOL forces
 * one. Both report the same shape: responses per status code, latency percentiles at 10 µs
 * resolution, and the CPU the generator itself burnt (it shares the box with the servers).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { processCpuSeconds, removeDir, tempDir, ROOT } from './procs.js';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  contentType?: string;
  /** Extra request headers (e.g. Authorization for a peer's API). */
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /** Hard cap on responses; the run ends at whichever of seconds/maxRequests comes first. */
  maxRequests: number;
  /**
   * Lease + ack round trips instead of one request: each connection loops over
   * `GET <url>?lease=<seconds>` then `DELETE <url>/<receipt>` (the receipt from the GET's reply;
   * a GET without one, e.g. 204, starts the loop again). autocannon only (wrk's Lua state is per
   * thread, not per connection): a wrk tool hands such a run to autocannon. Shorthand for a
   * `pair` (leaseAckPair).
   */
  leaseAck?: { leaseSeconds: number };
  /** Any take + ack round trip (a peer's pull + ack): see PairSpec. autocannon only, as leaseAck. */
  pair?: PairSpec;
  /**
   * Count the 2xx responses whose body matches (in `LoadResult.matched`): for an API that
   * answers "nothing there" with 200 (RabbitMQ's get: `[]`). autocannon only, as leaseAck.
   */
  matchBody?: RegExp;
}

/**
 * A round trip of two requests per message on one connection: `take` hands out a token (a
 * receipt, a job id) read from its reply by `token`, then `ack(token)` settles it. A reply
 * without a token starts the loop again.
 */
export interface PairSpec {
  take: { method: 'GET' | 'POST'; path: string; body?: string };
  /** The token in the take's reply; 'empty' when the queue had nothing; undefined: unreadable. */
  token(status: number, body: string): string | 'empty' | undefined;
  ack(token: string): { method: 'POST' | 'DELETE'; path: string; body?: string };
}

/** Our lease + ack: `GET <path>?lease=<s>`, then `DELETE <path>/<receipt>`. */
export function leaseAckPair(path: string, leaseSeconds: number): PairSpec {
  return {
    take: { method: 'GET', path: `${path}?lease=${leaseSeconds}` },
    token: (status, body) => (status === 204 ? 'empty' : status === 200 ? /"receipt": ?"([^"]+)"/.exec(body)?.[1] : undefined),
    ack: (receipt) => ({ method: 'DELETE', path: `${path}/${encodeURIComponent(receipt)}` }),
  };
}

/** Outcome of a pair run (`LoadSpec.leaseAck` or `LoadSpec.pair`). */
export interface PairCounts {
  /** DELETE answered 2xx: completed lease + ack round trips. */
  acked: number;
  /** GET answered 204 (queue empty). */
  empty: number;
  /** GET answered 200 without a readable receipt (non-2xx answers are in `status` as usual). */
  noReceipt: number;
}

export interface LoadResult {
  tool: string;
  /** Measured length of the run. */
  seconds: number;
  /** Completed responses, any status. */
  responses: number;
  /** Responses per HTTP status code. */
  status: Record<string, number>;
  /** Connection errors (resets, refused) and request timeouts. */
  errors: number;
  timeouts: number;
  /** Per response; for a lease + ack run, per completed pair (GET sent → DELETE answered). */
  latencyMs: { p50: number; p99: number; max: number };
  /** Lease + ack runs only. */
  pairs?: PairCounts;
  /** matchBody runs only: 2xx responses whose body matched. */
  matched?: number;
  /** CPU seconds the generator used during the run. */
  generatorCpuSeconds: number;
}

export interface LoadTool {
  name: string;
  run(spec: LoadSpec): Promise<LoadResult>;
}

/** Extra time a run may take past its duration before it is stopped by force. */
const GRACE_MS = 30_000;

/** Latency histogram: 10 µs buckets up to 2 s, exact values above (rare). */
class LatencyHistogram {
  private readonly buckets = new Uint32Array(200_000);
  private readonly slow: number[] = [];
  private count = 0;
  private maxMs = 0;

  record(ms: number): void {
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
    const i = Math.floor(ms * 100);
    if (i < this.buckets.length) this.buckets[i]!++;
    else this.slow.push(ms);
  }

  /** Upper edge of the bucket holding the q-quantile, in ms. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return (i + 1) / 100;
    }
    const slow = [...this.slow].sort((a, b) => a - b);
    return slow[Math.min(slow.length - 1, rank - seen - 1)] ?? this.maxMs;
  }

  get max(): number {
    return this.maxMs;
  }
}

/** autocannon `requests` for a pair run; pair latencies go to `hist`, outcomes to `pairs`. */
function pairRequests(pair: PairSpec, hist: LatencyHistogram, pairs: PairCounts): autocannon.Request[] {
  return [
    {
      method: pair.take.method,
      path: pair.take.path,
      ...(pair.take.body !== undefined ? { body: pair.take.body } : {}),
      // Called just before each send (the first one: when the connection's client is built).
      setupRequest: (req, context) => {
        context.t0 = performance.now();
        context.token = undefined;
        return req;
      },
      onResponse: (status, body, context) => {
        if (status < 200 || status >= 300) return; // counted as non-2xx by autocannon; the loop restarts
        const token = pair.token(status, body);
        if (token === 'empty') pairs.empty++;
        else if (token === undefined) pairs.noReceipt++;
        else context.token = token;
      },
    },
    {
      method: 'DELETE',
      setupRequest: (req, context) => (typeof context.token === 'string' ? { ...req, ...pair.ack(context.token) } : null),
      onResponse: (status, _body, context) => {
        if (status >= 200 && status < 300) {
          pairs.acked++;
          hist.record(performance.now() - (context.t0 as number));
        }
      },
    },
  ];
}

const autocannonTool: LoadTool = {
  name: 'autocannon',
  run(spec) {
    const hist = new LatencyHistogram();
    const cpu0 = process.cpuUsage();
    const pair = spec.pair ?? (spec.leaseAck ? leaseAckPair(new URL(spec.url).pathname, spec.leaseAck.leaseSeconds) : undefined);
    const pairs: PairCounts | undefined = pair ? { acked: 0, empty: 0, noReceipt: 0 } : undefined;
    const match = spec.matchBody;
    let matched = 0;
    const matching: autocannon.Request[] | undefined = match
      ? [
          {
            method: spec.method,
            ...(spec.body !== undefined ? { body: spec.body } : {}),
            onResponse: (status, body) => {
              if (status >= 200 && status < 300 && match.test(body)) matched++;
            },
          },
        ]
      : undefined;
    return new Promise((resolve, reject) => {
      const instance = autocannon(
        {
          url: spec.url,
          connections: spec.connections,
          pipelining: 1,
          duration: spec.seconds,
          maxOverallRequests: Math.max(spec.maxRequests, spec.connections),
          timeout: 10,
          method: spec.method,
          ...(spec.body !== undefined ? { body: spec.body } : {}),
          ...(spec.contentType || spec.headers ? { headers: { ...spec.headers, ...(spec.contentType ? { 'content-type': spec.contentType } : {}) } } : {}),
          ...(pair && pairs ? { requests: pairRequests(pair, hist, pairs) } : {}),
          ...(matching ? { requests: matching } : {}),
        },
        (err, result) => {
          clearTimeout(guard);
          if (err) return reject(err);
          const cpu = process.cpuUsage(cpu0);
          const status: Record<string, number> = {};
          for (const [code, { count }] of Object.entries(result.statusCodeStats)) status[code] = count;
          resolve({
            tool: 'autocannon',
            seconds: result.duration,
            responses: Object.values(status).reduce((a, b) => a + b, 0),
            status,
            errors: result.errors - result.timeouts,
            timeouts: result.timeouts,
            latencyMs: { p50: hist.quantile(0.5), p99: hist.quantile(0.99), max: hist.max },
            ...(pairs ? { pairs } : {}),
            ...(match ? { matched } : {}),
            generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
          });
        },
      );
      // autocannon's own histogram keeps whole milliseconds; record the exact times instead.
      // (A pair run records whole pairs instead, in pairRequests.)
      if (!pairs) instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => hist.record(ms));
      const guard = setTimeout(() => instance.stop(), spec.seconds * 1000 + GRACE_MS);
    });
  },
};

function wrkTool(bin: string): LoadTool {
  return {
    name: `wrk (${bin})`,
    run(spec) {
      // wrk cannot carry a receipt from one response to the next request of the same connection.
      if (spec.leaseAck || spec.pair || spec.matchBody) return autocannonTool.run(spec).then((r) => ({ ...r, tool: 'autocannon (wrk cannot chain requests or read bodies)' }));
      const dir = tempDir('restmq-bench-wrk-');
      const bodyFile = join(dir, 'body');
      writeFileSync(bodyFile, spec.body ?? '');
      const headers = Object.entries(spec.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
      const args = ['-t1', `-c${spec.connections}`, `-d${spec.seconds}s`, '--timeout', '10s', ...headers, '-s', new URL('wrk.lua', import.meta.url).pathname, spec.url];
      const child = spawn(bin, args, {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          WRK_METHOD: spec.method,
          WRK_BODY_FILE: spec.body === undefined ? '' : bodyFile,
          WRK_CONTENT_TYPE: spec.contentType ?? '',
          WRK_MAX_REQUESTS: String(spec.maxRequests),
          WRK_THREADS: '1',
        },
      });
      const cpu0 = processCpuSeconds(child.pid ?? -1) ?? 0;
      const lines: string[] = [];
      let report: string | undefined;
      let cpuAtEnd: number | undefined;
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          lines.push(line);
          if (line.startsWith('BENCH_JSON ')) {
            report = line.slice('BENCH_JSON '.length);
            cpuAtEnd = processCpuSeconds(child.pid ?? -1);
          }
        });
      }
      const guard = setTimeout(() => child.kill('SIGKILL'), spec.seconds * 1000 + GRACE_MS);
      return new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code) => {
          clearTimeout(guard);
          removeDir(dir);
          if (code !== 0 || report === undefined) return reject(new Error(`wrk failed (${code}):\n${lines.join('\n')}`));
          const r = JSON.parse(report) as {
            seconds: number;
            responses: number;
            status: Record<string, number>;
            errors: { connect: number; read: number; write: number; timeout: number };
            p50_us: number;
            p99_us: number;
            max_us: number;
          };
          resolve({
            tool: 'wrk',
            seconds: r.seconds,
            responses: r.responses,
            status: r.status,
            errors: r.errors.connect + r.errors.read + r.errors.write,
            timeouts: r.errors.timeout,
            latencyMs: { p50: r.p50_us / 1000, p99: r.p99_us / 1000, max: r.max_us / 1000 },
            generatorCpuSeconds: (cpuAtEnd ?? 0) - cpu0,
          });
        });
      });
    },
  };
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** BENCH_TOOL=wrk|autocannon forces a tool; otherwise wrk when found (BENCH_WRK or PATH). */
export function pickLoadTool(env: NodeJS.ProcessEnv = process.env): LoadTool {
  const forced = env.BENCH_TOOL;
  const wrk = env.BENCH_WRK || onPath('wrk');
  if (forced === 'autocannon') return autocannonTool;
  if (forced === 'wrk' && !wrk) throw new Error('BENCH_TOOL=wrk but wrk is not on the PATH (or set BENCH_WRK=/path/to/wrk)');
  if (forced && forced !== 'wrk') throw new Error(`BENCH_TOOL must be wrk or autocannon, not ${forced}`);
  return wrk ? wrkTool(wrk) : autocannonTool;
}
