/**
 * A private Redis Cluster per test file: 6 redis-server processes on free ports of 127.0.0.1
 * (3 primaries, 3 replicas, made by `redis-cli --cluster create`), each in its own temp dir
 * with appendonly on, killed and cleaned up by stop(). Resolves once every node reports
 * cluster_state:ok, knows all 6 nodes and every replica is in sync. Never touches 6379.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, spawnTracked, stopChild, trackedTempDir, waitReady } from './redis.js';

const HOST = '127.0.0.1';
const run = promisify(execFile);

export interface ClusterNode {
  host: string;
  port: number;
  /** The cluster bus port (cluster-port), not the client port + 10000. */
  busPort: number;
}

export interface RedisCluster {
  nodes: ClusterNode[];
  /** "127.0.0.1:p1,127.0.0.1:p2,..." of every node. */
  seeds: string;
  /** redis-cluster://[:password@]127.0.0.1:p1,... */
  url: string;
  password?: string;
  /** The nodes that are primaries now (CLUSTER NODES of a live node). */
  primaries(): Promise<ClusterNode[]>;
  /** The node serving `key`'s slot as primary now. */
  ownerOf(key: string): Promise<ClusterNode>;
  /** Sends `signal` (default SIGKILL) to the node; resolves once it exited (SIGSTOP: at once). */
  kill(node: ClusterNode, signal?: NodeJS.Signals): Promise<void>;
  /** Restarts a killed node on its ports and dir (it rejoins with its nodes.conf). */
  restart(node: ClusterNode): Promise<void>;
  /** Resolves once every live node reports cluster_state:ok (after a failover, say). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** A client of one node (for assertions); the caller disconnects it. */
  client(node: ClusterNode): Redis;
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  password?: string;
  /** cluster-node-timeout: how long a silent primary takes to be failed over (default 2000). */
  nodeTimeoutMs?: number;
}

interface Member {
  node: ClusterNode;
  dir: string;
  child: ChildProcess;
  output: () => string;
}

function serverArgs(node: ClusterNode, dir: string, nodeTimeoutMs: number, password?: string): string[] {
  const args = [
    '--port', String(node.port), '--bind', HOST, '--dir', dir,
    '--cluster-enabled', 'yes', '--cluster-port', String(node.busPort),
    '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs),
    '--save', '', '--appendonly', 'yes',
  ];
  if (password !== undefined) args.push('--requirepass', password, '--masterauth', password);
  return args;
}

/** Polls `check` every 100 ms until it returns true; rejects with `what` after the timeout. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Field `name` of an INFO / CLUSTER INFO reply. */
export function infoField(info: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m?.[1]?.trim();
}

export async function startRedisCluster(opts: StartClusterOptions = {}): Promise<RedisCluster> {
  const password = opts.password;
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 2000;
  const temp = await trackedTempDir('restmq-cluster-');
  const members: Member[] = [];
  const clients = new Set<Redis>();
  const client = (node: ClusterNode): Redis => {
    const c = new Redis({ host: node.host, port: node.port, ...(password === undefined ? {} : { password }), maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    c.on('error', () => {});
    clients.add(c);
    c.once('end', () => clients.delete(c));
    return c;
  };
  /** One command on a short-lived connection. */
  const ask = async (node: ClusterNode, ...cmd: [string, ...string[]]): Promise<unknown> => {
    const c = client(node);
    try {
      return await c.call(...cmd);
    } finally {
      c.disconnect();
    }
  };
  const alive = () => members.filter((m) => m.child.exitCode === null && m.child.signalCode === null);
  const stop = async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(members.map((m) => stopChild(m.child)));
    await temp.remove();
  };

  try {
    const used = new Set<number>();
    const pick = async () => {
      for (;;) {
        const p = await freePort();
        if (!used.has(p)) return used.add(p), p;
      }
    };
    for (let i = 0; i < 6; i++) {
      const node = { host: HOST, port: await pick(), busPort: await pick() };
      const dir = join(temp.dir, String(i));
      await mkdir(dir);
      members.push({ node, dir, ...spawnTracked(serverArgs(node, dir, nodeTimeoutMs, password)) });
    }
    await Promise.all(members.map((m) => waitReady(m.child, m.node.port, m.output, password)));
    const auth = password === undefined ? [] : ['-a', password, '--no-auth-warning'];
    await run('redis-cli', ['--cluster', 'create', ...members.map((m) => `${HOST}:${m.node.port}`), '--cluster-replicas', '1', '--cluster-yes', ...auth], { timeout: 30_000 });
  } catch (err) {
    await stop();
    throw err;
  }

  const healthy = async (timeoutMs = 30_000): Promise<void> => {
    await until(async () => {
      for (const m of alive()) {
        const info = String(await ask(m.node, 'CLUSTER', 'INFO'));
        if (infoField(info, 'cluster_state') !== 'ok' || infoField(info, 'cluster_slots_ok') !== '16384') return false;
        const repl = String(await ask(m.node, 'INFO', 'replication'));
        if (infoField(repl, 'role') === 'slave' && infoField(repl, 'master_link_status') !== 'up') return false;
      }
      return true;
    }, 'cluster_state:ok on every node', timeoutMs);
  };
  const nodeTable = async (): Promise<string[][]> => {
    const live = alive()[0];
    if (!live) throw new Error('no live cluster node');
    return String(await ask(live.node, 'CLUSTER', 'NODES')).trim().split('\n').map((l) => l.split(' '));
  };
  const byAddress = (addr: string): ClusterNode => {
    const port = Number(/:(\d+)@/.exec(addr)?.[1]);
    const m = members.find((x) => x.node.port === port);
    if (!m) throw new Error(`unknown cluster node ${addr}`);
    return m.node;
  };

  try {
    await until(async () => {
      for (const m of members) {
        const info = String(await ask(m.node, 'CLUSTER', 'INFO'));
        if (infoField(info, 'cluster_known_nodes') !== '6') return false;
      }
      return true;
    }, 'every node to know all 6 nodes', 30_000);
    await healthy();
  } catch (err) {
    await stop();
    throw err;
  }

  const seeds = members.map((m) => `${HOST}:${m.node.port}`).join(',');
  const member = (node: ClusterNode): Member => {
    const m = members.find((x) => x.node.port === node.port);
    if (!m) throw new Error(`not a node of this cluster: ${node.port}`);
    return m;
  };
  return {
    nodes: members.map((m) => m.node),
    seeds,
    url: `redis-cluster://${password === undefined ? '' : `:${encodeURIComponent(password)}@`}${seeds}`,
    ...(password === undefined ? {} : { password }),
    async primaries() {
      return (await nodeTable()).filter((f) => f[2]!.includes('master') && !f[2]!.includes('fail')).map((f) => byAddress(f[1]!));
    },
    async ownerOf(key: string) {
      const live = alive()[0];
      if (!live) throw new Error('no live cluster node');
      const slot = Number(await ask(live.node, 'CLUSTER', 'KEYSLOT', key));
      for (const f of await nodeTable()) {
        if (!f[2]!.includes('master') || f[2]!.includes('fail')) continue;
        for (const range of f.slice(8)) {
          const [lo, hi] = range.split('-').map(Number);
          if (lo !== undefined && slot >= lo && slot <= (hi ?? lo)) return byAddress(f[1]!);
        }
      }
      throw new Error(`no primary serves slot ${slot}`);
    },
    async kill(node, signal = 'SIGKILL') {
      const m = member(node);
      if (m.child.exitCode !== null || m.child.signalCode !== null) return;
      if (signal === 'SIGSTOP') {
        m.child.kill(signal);
        return;
      }
      const exited = new Promise<void>((resolve) => m.child.once('exit', () => resolve()));
      m.child.kill(signal);
      await exited;
    },
    async restart(node) {
      const m = member(node);
      if (m.child.signalCode === null && m.child.exitCode === null) m.child.kill('SIGCONT');
      else {
        Object.assign(m, spawnTracked(serverArgs(m.node, m.dir, nodeTimeoutMs, password)));
        await waitReady(m.child, m.node.port, m.output, password);
      }
    },
    waitHealthy: healthy,
    client,
    stop,
  };
}
