/**
 * The push peer: nginx + Nchan (Debian's libnginx-mod-nchan), run as a foreground child on a
 * free loopback port with a config written into a temp dir, and the Publisher that lets
 * bench/stream/ drive it exactly as it drives our broker (same consumer processes,
 * same closed-loop producer, same lag sampling).
 *
 * Subscribers use `/sse/<channel>` (or `/ws/<channel>`), the broker's paths, so the consumer
 * processes need no change. Nchan has no batch publish: every message is its own
 * `POST /pub/<channel>`, whose body is the broker's envelope `{"key": "n<seq>", "value": "..."}`
 * so the consumers count and sample it the same way (one `{` per message).
 */
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { freePort } from '../../test/harness/redis.js';
import { monoUs } from '../histogram.js';
import { onCleanup, processTree, removeDir, stopChild, tempDir } from '../procs.js';
import { answers, type RunningServer } from '../servers.js';
import type { Publisher, Reply } from '../stream/publisher.js';
import { NCHAN_MODULE, NGINX } from './install.js';

export interface NchanServer extends RunningServer {
  /** master + workers, for CPU and memory accounting. */
  pids(): number[];
  workers: number;
}

function config(dir: string, port: number, workers: number): string {
  return `load_module ${NCHAN_MODULE};
daemon off;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 10240; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location ~ ^/pub/([A-Za-z0-9_-]+)$ {
      nchan_publisher;
      nchan_channel_id $1;
      nchan_message_buffer_length 100;
      nchan_message_timeout 30s;
    }
    location ~ ^/(sse|ws)/([A-Za-z0-9_-]+)$ {
      nchan_subscriber;
      nchan_channel_id $2;
      nchan_subscriber_first_message newest;
    }
    location = /nchan_status { nchan_stub_status; }
  }
}
`;
}

/** Starts nginx with Nchan; resolves once /nchan_status answers. */
export async function startNchan(workers: number): Promise<NchanServer> {
  const dir = tempDir('restmq-bench-nchan-');
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  mkdirSync(join(dir, 'body'));
  writeFileSync(conf, config(dir, port, workers));
  const child = spawn(NGINX, ['-p', dir, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const forget = onCleanup(async () => {
    await stopChild(child, 3000);
    removeDir(dir);
  });
  const output: string[] = [];
  for (const s of [child.stdout!, child.stderr!]) createInterface({ input: s }).on('line', (l) => output.length < 50 && output.push(l));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    forget();
    // SIGTERM (stopChild's) is nginx's fast shutdown: enough for a bench.
    await stopChild(child, 3000);
    removeDir(dir);
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${output.join(' | ')}`);
    if (await answers(`${url}/nchan_status`)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not answer in 10 s: ${output.join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid ?? -1;
  return { name: 'nginx + nchan', url, pid, workers, pids: () => processTree(pid), stop };
}

function publish(agent: http.Agent, base: URL, q: string, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, path: `/pub/${q}`, method: 'POST', agent, headers: { 'content-type': 'text/plain', accept: 'text/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`POST /pub/${q}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const envelope = (seq: number, value: string) => `{"key": "n${seq}", "value": ${JSON.stringify(value)}}`;

/** Sockets a publishMany keeps busy: one request each, kept alive. */
const SOCKETS = 8;

export const nchanPublisher: Publisher = {
  // Every Nchan subscriber gets every message: broadcast is the only mode.
  broadcast: async () => {},
  async publishMany(agent, base, q, make, seq0, n) {
    let next = 0;
    let failed: Reply | undefined;
    const worker = async () => {
      while (next < n && !failed) {
        const seq = seq0 + next++;
        const r = await publish(agent, base, q, envelope(seq, make(Math.floor(monoUs()), seq)));
        if (r.status < 200 || r.status > 299) failed = r;
      }
    };
    await Promise.all(Array.from({ length: Math.min(SOCKETS, n) }, worker));
    return failed ?? { status: 200, body: '' };
  },
  async publishOne(agent, base, q, value, seq) {
    const r = await publish(agent, base, q, envelope(seq, value));
    return { status: r.status, key: `n${seq}`, body: r.body };
  },
  sockets: SOCKETS,
};
