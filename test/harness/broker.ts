/**
 * Brokers for tests: `startTestBroker` runs one in-process on 127.0.0.1:0 with a real store;
 * `spawnBroker` runs the real `restmq` command as a child process (for signals, crashes and
 * several brokers on one store). Both resolve once the broker listens.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startBroker, type RunningBroker } from '../../src/main.js';
import { cliArgs, runToExit, spawnChild } from './child.js';
import { freePort, startRedis, type RedisServer } from './redis.js';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';

export type BackendName = 'sqlite' | 'memory' | 'redis' | 'redis-cluster';

export interface TestBroker extends RunningBroker {
  storeFlag: string;
}

/** A --store value for a backend: a fresh SQLite file, memory, or the given Redis (for
 *  redis-cluster, the url of a started cluster: test/harness/redis-cluster.ts). */
export function storeFlagFor(backend: BackendName, redis?: { host: string; port: number; url?: string }): { flag: string; cleanup: () => void } {
  if (backend === 'memory') return { flag: 'memory', cleanup: () => {} };
  if (backend === 'redis-cluster') {
    if (!redis?.url) throw new Error('a redis-cluster backend needs a started cluster (test/harness/redis-cluster.ts)');
    return { flag: redis.url, cleanup: () => {} };
  }
  if (backend === 'redis') {
    if (!redis) throw new Error('a redis backend needs a started redis (test/harness/redis.ts)');
    return { flag: `redis://${redis.host}:${redis.port}/0`, cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'restmq-test-'));
  return { flag: `sqlite:${join(dir, 'restmq.db')}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTestBroker(backend: BackendName, opts: { redis?: { host: string; port: number; url?: string }; flags?: Record<string, string> } = {}): Promise<TestBroker> {
  const { flag, cleanup } = storeFlagFor(backend, opts.redis);
  const config = loadConfig({ port: '0', listen: '127.0.0.1', store: flag, 'log-level': 'silent', ...opts.flags }, {});
  const broker = await startBroker(config, pino({ level: 'silent' }));
  return {
    ...broker,
    storeFlag: flag,
    close: async () => {
      await broker.close();
      cleanup();
    },
  };
}

/**
 * A broker for the enclosing describe(): `before` starts it (and its own redis-server for the
 * redis backend, its own 6-node cluster for redis-cluster), `after` closes them. Returns a getter, since they exist only once `before` ran.
 */
export function useTestBroker(backend: BackendName, opts: { flags?: Record<string, string> } = {}): () => TestBroker & { redis?: RedisServer } {
  let broker: TestBroker | undefined;
  let redis: RedisServer | undefined;
  let cluster: RedisCluster | undefined;
  before(async () => {
    if (backend === 'redis') redis = await startRedis();
    if (backend === 'redis-cluster') cluster = await startRedisCluster();
    const server = redis ?? (cluster ? { ...cluster.nodes[0]!, url: cluster.url } : undefined);
    broker = await startTestBroker(backend, { ...(server ? { redis: server } : {}), ...(opts.flags ? { flags: opts.flags } : {}) });
  });
  after(async () => {
    await broker?.close();
    await redis?.stop();
    await cluster?.stop();
  });
  return () => {
    if (!broker) throw new Error(`the ${backend} broker is not started (useTestBroker's before hook has not run)`);
    return redis ? { ...broker, redis } : broker;
  };
}

export interface SpawnedBroker {
  url: string;
  port: number;
  child: ChildProcess;
  /** Every stdout/stderr line so far. */
  output: string[];
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Spawns `node --import tsx src/cli/run.ts serve --port <free port> ...args` and resolves once
 * its /health answers (whatever its log level), or rejects if it exits first.
 */
export async function spawnBroker(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; port?: number } = {}): Promise<SpawnedBroker> {
  const port = opts.port ?? (await freePort());
  const broker = spawnChild(process.execPath, cliArgs(['serve', '--port', String(port), '--log-level', 'info', ...args]), { ...(opts.env ? { env: opts.env } : {}) });
  const exited = broker.exited.then(({ code, signal }) => code ?? signal ?? -1);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    if (!broker.running()) throw new Error(`broker exited (${await exited}) before listening:\n${broker.lines.join('\n')}`);
    if (Date.now() > deadline) {
      broker.process.kill('SIGKILL');
      throw new Error(`broker did not start in time:\n${broker.lines.join('\n')}`);
    }
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    child: broker.process,
    output: broker.lines,
    exited,
    stop: async (signal = 'SIGTERM') => {
      // A graceful stop may finish requests in flight: a generous grace before SIGKILL.
      await broker.stop(signal, 30_000);
      return exited;
    },
  };
}

/** Runs the CLI to completion (for bad-flag tests): exit code and output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runToExit(process.execPath, cliArgs(args), { env });
}
