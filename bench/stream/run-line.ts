/** What every run shares: the server under test, its stream paths, the line it fills, the wait between runs. */
import type { RunningServer } from '../servers.js';
import type { ConsumerPool } from './consumer-pool.js';
import type { StreamTransport } from './consumer-process.js';
import type { Publisher } from './publisher.js';
import type { StreamCpu, StreamKind, StreamLine, StreamServer } from './types.js';

export interface Target {
  label: StreamServer;
  server: RunningServer;
  redisPid?: number;
  /** Default: brokerPublisher. */
  publisher?: Publisher;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function pathFor(transport: StreamTransport, q: string): string {
  return transport === 'comet' ? `/c/${q}` : transport === 'sse' ? `/sse/${q}` : `/ws/${q}`;
}

export function baseLine(t: Target, kind: StreamKind, transport: StreamTransport, consumers: number, processes: number): Omit<StreamLine, 'seconds' | 'sent' | 'msgsPerSec' | 'deliveries' | 'deliveriesPerSec' | 'lagMs' | 'missing' | 'extra' | 'minPerConnection' | 'maxPerConnection' | 'cutOff' | 'cpu' | 'windowUs'> {
  return { server: t.label, kind, transport, consumers, consumerProcesses: processes, problems: [], producer: '' };
}

export function finish(
  partial: ReturnType<typeof baseLine>,
  stats: Awaited<ReturnType<ConsumerPool['stats']>>,
  sent: number,
  t0: number,
  cpu: StreamCpu,
  t1: number,
): StreamLine {
  const seconds = stats.lastUs > t0 ? (stats.lastUs - t0) / 1e6 : (t1 - t0) / 1e6;
  const expected = sent * partial.consumers;
  const h = stats.lagHist;
  const problems = [...partial.problems, ...stats.errors];
  if (stats.maxPerConnection > sent) problems.push(`a consumer received ${stats.maxPerConnection} messages of ${sent} sent (duplicates)`);
  if (stats.minPerConnection < sent) problems.push(`a consumer received only ${stats.minPerConnection} of ${sent} messages`);
  if (stats.ended > 0) problems.push(`${stats.ended} connection(s) closed by the server during the run`);
  return {
    ...partial,
    problems,
    seconds,
    sent,
    msgsPerSec: sent / seconds,
    deliveries: stats.total,
    deliveriesPerSec: stats.total / seconds,
    lagMs: { p50: h.quantileMs(0.5), p99: h.quantileMs(0.99), max: h.maxUs / 1000, mean: h.count ? h.sumUs / h.count / 1000 : 0, samples: h.count },
    missing: Math.max(0, expected - stats.total),
    extra: Math.max(0, stats.total - expected),
    minPerConnection: stats.minPerConnection,
    maxPerConnection: stats.maxPerConnection,
    cutOff: stats.ended,
    cpu,
    windowUs: [Math.round(t0), Math.round(t1)],
  };
}

/** Waits (bounded) until the broker has forgotten the consumers of `q`, so runs do not overlap. */
export async function settle(t: Target, q: string): Promise<void> {
  if (t.label === 'ceiling' || t.label === 'nchan') {
    await sleep(200);
    return;
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${t.server.url}/stats/${q}`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { consumers?: number };
      if (!body.consumers) return;
    } catch {
      // retry
    }
    await sleep(100);
  }
}
