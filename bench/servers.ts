/**
 * The servers under load, each in its own process: the bare Fastify ceiling, the real broker
 * (`src/cli/run.ts serve`, as test/harness/broker.ts runs it) and a private redis-server
 * (test/harness/redis.ts; never the shared one on 6379).
 *
 * Why not spawnBroker(): it waits for the broker's "listening" log line, which is logged at
 * info, and the bench runs the broker at --log-level warn (one log line per request costs
 * CPU). So the broker gets a free port chosen here and is ready when GET /ready answers 200.
 */
import { join } from 'node:path';
import { freePort, redisClient, startRedis, type RedisServer } from '../test/harness/redis.js';
import type { Backend } from './config.js';
import { onCleanup, removeDir, spawnNode, tempDir, type NodeChild } from './procs.js';

export interface RunningServer {
  name: string;
  url: string;
  /** Process to charge CPU to. */
  pid: number;
  stop(): Promise<void>;
}

/** A bench script that prints `{"msg":"listening","url":...}` once it listens (its own process). */
export async function startListeningScript(script: string, args: string[], name: string): Promise<RunningServer> {
  let url = '';
  const proc = await spawnNode(script, args, {
    ready: (line) => {
      if (!line.includes('"listening"')) return false;
      url = (JSON.parse(line) as { url: string }).url;
      return true;
    },
  });
  return { name, url, pid: proc.pid, stop: proc.stop };
}

export function startBareServer(): Promise<RunningServer> {
  return startListeningScript('bench/baseline-server.ts', [], 'bare fastify');
}

/** The bare Node SSE/WebSocket broadcaster (bench/sse-ceiling-server.ts): the push ceiling. */
export async function startPushCeiling(): Promise<RunningServer> {
  let url = '';
  const proc = await spawnNode('bench/sse-ceiling-server.ts', [], {
    ready: (line) => {
      if (!line.includes('"listening"')) return false;
      url = (JSON.parse(line) as { url: string }).url;
      return true;
    },
  });
  return { name: 'bare node push', url, pid: proc.pid, stop: proc.stop };
}

export interface PrivateRedis {
  server: RedisServer;
  pid: number;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const server = await startRedis();
  const forget = onCleanup(() => server.stop());
  const client = redisClient(server.port);
  let pid: number;
  try {
    const info = await client.info('server');
    pid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? -1);
  } finally {
    client.disconnect();
  }
  return {
    server,
    pid,
    stop: async () => {
      forget();
      await server.stop();
    },
  };
}

/** True when `url` answers 200 within a second. */
export async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * A broker child on `backend` (SQLite: a fresh file in a temp dir, removed by stop()).
 * `nodeArgs` go before the script (e.g. --cpu-prof).
 */
export async function startBrokerChild(
  backend: Backend,
  opts: { redis?: RedisServer; logLevel: string; nodeArgs?: string[]; args?: string[]; root?: string },
): Promise<RunningServer & { proc: NodeChild }> {
  let store: string;
  let dir: string | undefined;
  if (backend === 'redis') {
    if (!opts.redis) throw new Error('the redis backend needs a private redis-server');
    store = `redis://${opts.redis.host}:${opts.redis.port}/0`;
  } else if (backend === 'memory') {
    store = 'memory';
  } else {
    dir = tempDir('restmq-bench-sqlite-');
    store = `sqlite:${join(dir, 'restmq.db')}`;
  }
  let lastError: unknown;
  // freePort() cannot reserve the port: retry if somebody else took it meanwhile.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    try {
      const proc = await spawnNode('src/cli/run.ts', ['serve', '--port', String(port), '--listen', '127.0.0.1', '--store', store, '--log-level', opts.logLevel, ...(opts.args ?? [])], {
        ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
        ...(opts.root ? { cwd: opts.root } : {}),
        probe: () => answers(`${url}/ready`),
      });
      return {
        name: `broker (${backend})`,
        url,
        pid: proc.pid,
        proc,
        stop: async () => {
          await proc.stop();
          if (dir) removeDir(dir);
        },
      };
    } catch (err) {
      lastError = err;
      if (!String(err).includes('EADDRINUSE')) break;
    }
  }
  if (dir) removeDir(dir);
  throw lastError;
}
