/**
 * The "queue over HTTP" peer: RabbitMQ's management HTTP API on this machine's RabbitMQ service
 * (AMQP 127.0.0.1:5672, guest/guest, which RabbitMQ accepts from loopback only). Publish is
 * `POST /api/exchanges/<vhost>/amq.default/publish`, get with ack is
 * `POST /api/queues/<vhost>/<q>/get` with `ackmode: ack_requeue_false`.
 *
 * The bench uses a vhost of its own (`restmq-bench-<pid>`), created here and deleted by
 * `close()` (also on Ctrl-C, through the cleanup registry), and never touches another vhost.
 * When the API does not answer and `rabbitmq-plugins` exists, the management plugin is enabled
 * once (peers.md §5); when it still does not answer, `connect()` says why and the bench prints
 * the rows as "n/a (<reason>)".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { onCleanup } from '../procs.js';

export const RABBIT_API = process.env.BENCH_RABBITMQ_API ?? 'http://127.0.0.1:15672';
const AUTH = `Basic ${Buffer.from(process.env.BENCH_RABBITMQ_USER ?? 'guest:guest').toString('base64')}`;

export interface Rabbit {
  vhost: string;
  queue: string;
  headers: Record<string, string>;
  publishUrl: string;
  getUrl: string;
  publishBody(value: string): string;
  getBody: string;
  /** beam.smp: where RabbitMQ's CPU goes. */
  pids(): number[];
  close(): Promise<void>;
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${RABBIT_API}${path}`, {
    method,
    headers: { authorization: AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}

async function reachable(): Promise<string | undefined> {
  try {
    const r = await api('GET', '/api/overview');
    return r.status === 200 ? undefined : `management API answered ${r.status}`;
  } catch (err) {
    return `management API not reachable at ${RABBIT_API} (${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)})`;
  }
}

function beamPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'latin1');
      if (cmd.startsWith('/') && cmd.includes('beam') && cmd.includes('rabbit')) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

/** The API is up (enabling the management plugin if needed), a vhost and a queue are ready; or why not. */
export async function connect(log: (msg: string) => void): Promise<Rabbit | string> {
  let why = await reachable();
  if (why && spawnSync('sh', ['-c', 'command -v rabbitmq-plugins'], { stdio: 'ignore' }).status === 0) {
    log('enabling the RabbitMQ management plugin (rabbitmq-plugins enable rabbitmq_management)');
    const r = spawnSync('rabbitmq-plugins', ['enable', 'rabbitmq_management'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) return `${why}; rabbitmq-plugins failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-2).join(' ')}`;
    for (let i = 0; i < 30 && why; i++) {
      await new Promise((res) => setTimeout(res, 500));
      why = await reachable();
    }
  }
  if (why) return why;
  const vhost = `restmq-bench-${process.pid}`;
  const queue = 'bench';
  const v = encodeURIComponent(vhost);
  const steps: Array<[string, string, unknown]> = [
    ['PUT', `/api/vhosts/${v}`, {}],
    ['PUT', `/api/permissions/${v}/${encodeURIComponent((process.env.BENCH_RABBITMQ_USER ?? 'guest:guest').split(':')[0]!)}`, { configure: '.*', write: '.*', read: '.*' }],
    ['PUT', `/api/queues/${v}/${queue}`, { durable: false, auto_delete: false }],
  ];
  const close = async () => {
    await api('DELETE', `/api/vhosts/${v}`).catch(() => undefined);
  };
  const forget = onCleanup(close);
  for (const [method, path, body] of steps) {
    const r = await api(method, path, body);
    if (r.status >= 300) {
      forget();
      await close();
      return `${method} ${path}: ${r.status} ${r.text.slice(0, 120)}`;
    }
  }
  return {
    vhost,
    queue,
    headers: { authorization: AUTH },
    publishUrl: `${RABBIT_API}/api/exchanges/${v}/amq.default/publish`,
    getUrl: `${RABBIT_API}/api/queues/${v}/${queue}/get`,
    publishBody: (value) => JSON.stringify({ properties: {}, routing_key: queue, payload: value, payload_encoding: 'string' }),
    getBody: JSON.stringify({ count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' }),
    pids: beamPids,
    close: async () => {
      forget();
      await close();
    },
  };
}
