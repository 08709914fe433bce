/**
 * A private Sentinel setup per test file: one primary, one replica and three Sentinels
 * (quorum 2, down-after 1 s, failover-timeout 5 s so failovers are quick) on free ports of
 * 127.0.0.1, in a temp dir, all stopped by stop(). Resolves once every Sentinel sees the
 * replica and the two other Sentinels, so SENTINEL FAILOVER works at once. Never touches 6379.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, spawnTracked, stopChild, trackedTempDir, waitReady } from './redis.js';
import { infoField, until } from './redis-cluster.js';

const HOST = '127.0.0.1';
export const MASTER_NAME = 'mymaster';

export interface SentinelServer {
  host: string;
  port: number;
}

export interface RedisSentinel {
  /** redis-sentinel://[:password@]127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/mymaster */
  url: string;
  masterName: string;
  sentinels: SentinelServer[];
  /** The two data servers (primary and replica at the start, in that order). */
  servers: SentinelServer[];
  password?: string;
  /** The primary the Sentinels name now. */
  primary(): Promise<SentinelServer>;
  /** The data server that is not the primary. */
  replica(): Promise<SentinelServer>;
  /** SENTINEL FAILOVER; resolves once every Sentinel names the new primary, it is writable
   *  and the old one replicates from it (in sync). */
  failover(): Promise<{ from: SentinelServer; to: SentinelServer }>;
  /** Sends `signal` (default SIGKILL) to a data server; SIGSTOP pauses it (resume() continues). */
  kill(server: SentinelServer, signal?: NodeJS.Signals): Promise<void>;
  resume(server: SentinelServer): void;
  /** A client of one data server (for assertions); the caller disconnects it. */
  client(server: SentinelServer): Redis;
  stop(): Promise<void>;
}

export interface StartSentinelOptions {
  /** requirepass on the data servers (the Sentinels themselves stay open). */
  password?: string;
}

interface Proc {
  server: SentinelServer;
  child: ChildProcess;
  output: () => string;
}

function sentinelConf(port: number, dir: string, primaryPort: number, password?: string): string {
  return [
    `port ${port}`,
    `bind ${HOST}`,
    `dir ${dir}`,
    `sentinel monitor ${MASTER_NAME} ${HOST} ${primaryPort} 2`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
    `sentinel failover-timeout ${MASTER_NAME} 5000`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
    ...(password === undefined ? [] : [`sentinel auth-pass ${MASTER_NAME} ${password}`]),
    '',
  ].join('\n');
}

export async function startRedisSentinel(opts: StartSentinelOptions = {}): Promise<RedisSentinel> {
  const password = opts.password;
  const temp = await trackedTempDir('restmq-sentinel-');
  const data: Proc[] = [];
  const sentinels: Proc[] = [];
  const clients = new Set<Redis>();
  const connect = (s: SentinelServer, pass?: string): Redis => {
    const c = new Redis({ host: s.host, port: s.port, ...(pass === undefined ? {} : { password: pass }), maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    c.on('error', () => {});
    clients.add(c);
    c.once('end', () => clients.delete(c));
    return c;
  };
  const client = (s: SentinelServer) => connect(s, password);
  const ask = async (s: SentinelServer, pass: string | undefined, ...cmd: [string, ...string[]]): Promise<unknown> => {
    const c = connect(s, pass);
    try {
      return await c.call(...cmd);
    } finally {
      c.disconnect();
    }
  };
  const stop = async () => {
    for (const c of clients) c.disconnect();
    await Promise.all([...sentinels, ...data].map((p) => stopChild(p.child)));
    await temp.remove();
  };

  const used = new Set<number>();
  const pick = async () => {
    for (;;) {
      const p = await freePort();
      if (!used.has(p)) return used.add(p), p;
    }
  };
  const dataArgs = (port: number, dir: string, replicaOf?: number) => {
    const args = ['--port', String(port), '--bind', HOST, '--dir', dir, '--save', '', '--appendonly', 'no'];
    if (replicaOf !== undefined) args.push('--replicaof', HOST, String(replicaOf));
    if (password !== undefined) args.push('--requirepass', password, '--masterauth', password);
    return args;
  };
  const askSentinel = (i: number, ...cmd: [string, ...string[]]) => ask(sentinels[i]!.server, undefined, ...cmd);
  const named = async (i: number): Promise<SentinelServer> => {
    const r = (await askSentinel(i, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as [string, string];
    return { host: r[0], port: Number(r[1]) };
  };
  const serverAt = (port: number) => {
    const p = data.find((d) => d.server.port === port);
    if (!p) throw new Error(`not a data server of this setup: ${port}`);
    return p;
  };
  /** SENTINEL MASTER as a field → value map. */
  const masterState = async (i: number): Promise<Map<string, string>> => {
    const flat = (await askSentinel(i, 'SENTINEL', 'MASTER', MASTER_NAME)) as string[];
    const m = new Map<string, string>();
    for (let k = 0; k + 1 < flat.length; k += 2) m.set(flat[k]!, flat[k + 1]!);
    return m;
  };
  /** The other data server replicates from `primaryPort`, in sync. */
  const replicating = async (primaryPort: number) => {
    const other = data.find((d) => d.server.port !== primaryPort)!;
    const repl = String(await ask(other.server, password, 'INFO', 'replication'));
    return infoField(repl, 'master_link_status') === 'up' && infoField(repl, 'master_port') === String(primaryPort);
  };
  /** At the start: every Sentinel names the primary, sees the replica and 2 other Sentinels. */
  const settled = (primaryPort: number, timeoutMs: number) =>
    until(async () => {
      for (let i = 0; i < 3; i++) {
        const st = await masterState(i);
        if (Number(st.get('port')) !== primaryPort || st.get('flags') !== 'master') return false;
        if (st.get('num-slaves') !== '1' || st.get('num-other-sentinels') !== '2') return false;
      }
      return replicating(primaryPort);
    }, `the Sentinels to agree on the primary ${primaryPort}`, timeoutMs);

  try {
    const primaryPort = await pick();
    const replicaPort = await pick();
    for (const [port, replicaOf] of [[primaryPort, undefined], [replicaPort, primaryPort]] as const) {
      const dir = join(temp.dir, `data-${port}`);
      await mkdir(dir);
      const p = { server: { host: HOST, port }, ...spawnTracked(dataArgs(port, dir, replicaOf)) };
      data.push(p);
      await waitReady(p.child, port, p.output, password);
    }
    for (let i = 0; i < 3; i++) {
      const port = await pick();
      const dir = join(temp.dir, `sentinel-${port}`);
      await mkdir(dir);
      const conf = join(dir, 'sentinel.conf');
      // Sentinel rewrites its config file as it learns: each gets its own, writable.
      await writeFile(conf, sentinelConf(port, dir, primaryPort, password));
      const p = { server: { host: HOST, port }, ...spawnTracked([conf, '--sentinel']) };
      sentinels.push(p);
      await waitReady(p.child, port, p.output);
    }
    await settled(primaryPort, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }

  const primary = () => named(0);
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  return {
    url: `redis-sentinel://${auth}${sentinels.map((s) => `${HOST}:${s.server.port}`).join(',')}/${MASTER_NAME}`,
    masterName: MASTER_NAME,
    sentinels: sentinels.map((s) => s.server),
    servers: data.map((d) => d.server),
    ...(password === undefined ? {} : { password }),
    primary,
    async replica() {
      const p = await primary();
      return data.find((d) => d.server.port !== p.port)!.server;
    },
    async failover() {
      const from = await primary();
      // Sentinels refresh their view of a replica every 10 s: right after a failover one may
      // still think the new replica is not fit (NOGOODSLAVE) or be busy (INPROG): ask again.
      await until(async () => {
        try {
          await askSentinel(0, 'SENTINEL', 'FAILOVER', MASTER_NAME);
          return true;
        } catch (err) {
          if (/NOGOODSLAVE|INPROG/.test(String(err))) return false;
          throw err;
        }
      }, 'a Sentinel to accept SENTINEL FAILOVER', 30_000);
      await until(async () => {
        for (let i = 0; i < 3; i++) if ((await named(i)).port === from.port) return false;
        return true;
      }, 'every Sentinel to name a new primary', 30_000);
      const to = await primary();
      await until(async () => infoField(String(await ask(to, password, 'INFO', 'replication')), 'role') === 'master', 'the new primary to be writable', 30_000);
      await until(() => replicating(to.port), 'the old primary to replicate from the new one', 30_000);
      return { from, to };
    },
    async kill(server, signal = 'SIGKILL') {
      const p = serverAt(server.port);
      if (p.child.exitCode !== null || p.child.signalCode !== null) return;
      if (signal === 'SIGSTOP') {
        p.child.kill(signal);
        return;
      }
      const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
      p.child.kill(signal);
      await exited;
    },
    resume(server) {
      serverAt(server.port).child.kill('SIGCONT');
    },
    client,
    stop,
  };
}
