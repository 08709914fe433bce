/**
 * The producer side over HTTP: a POST client, message values stamped with their send time, and
 * the Publisher through which a run publishes to the server under test.
 */
import http from 'node:http';
import { monoUs } from '../histogram.js';
import { messageValue } from '../suite.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

export interface Reply {
  status: number;
  body: string;
}

export function post(agent: http.Agent, base: URL, path: string, body: string, contentType: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, path, method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`POST ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Values `<send time µs>|<seq>|<padding>`, about BENCH_VALUE_BYTES long. */
export function valueMaker(valueBytes: number): (ts: number, seq: number) => string {
  const pad = messageValue(Math.max(1, valueBytes - 22));
  return (ts, seq) => `${ts}|${seq}|${pad}`;
}

/** A `?batch=1` body: `n` values from seq0 on, all stamped with the time now. */
export function batchBody(make: (ts: number, seq: number) => string, seq0: number, n: number): string {
  const ts = Math.floor(monoUs());
  const parts = new Array<string>(n);
  for (let j = 0; j < n; j++) parts[j] = JSON.stringify(make(ts, seq0 + j));
  return `[${parts.join(',')}]`;
}

/**
 * How a server under test is published to and subscribed from. The broker and the bare
 * broadcaster share one (brokerPublisher); a peer without our routes (Nchan) brings its own.
 */
export interface Publisher {
  /** Sets the queue up for broadcast fan-out (no-op where every subscriber gets everything). */
  broadcast(agent: http.Agent, base: URL, q: string): Promise<void>;
  /** Publishes `n` messages seq0.. stamped `make(now, seq)`; resolves once all are accepted. */
  publishMany(agent: http.Agent, base: URL, q: string, make: (ts: number, seq: number) => string, seq0: number, n: number): Promise<Reply>;
  /** Publishes one message with value `value`; `key` is what its envelope must carry on arrival. */
  publishOne(agent: http.Agent, base: URL, q: string, value: string, seq: number): Promise<{ status: number; key: string; body: string }>;
  /** Most requests a producer keeps in flight per publishMany (sockets of its agent). */
  sockets: number;
}

export const brokerPublisher: Publisher = {
  async broadcast(agent, base, q) {
    const r = await post(agent, base, `/p/${q}`, 'policy=broadcast', FORM);
    if (r.status !== 200) throw new Error(`POST /p/${q} policy=broadcast: ${r.status} ${r.body.slice(0, 200)}`);
  },
  publishMany: (agent, base, q, make, seq0, n) => post(agent, base, `/q/${q}?batch=1`, batchBody(make, seq0, n), JSON_TYPE),
  async publishOne(agent, base, q, value) {
    const r = await post(agent, base, `/q/${q}`, `value=${encodeURIComponent(value)}`, FORM);
    return { status: r.status, key: r.body.trim(), body: r.body };
  },
  sockets: 1,
};
