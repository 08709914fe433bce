/**
 * Brokers for tests: `startTestBroker` runs one in-process on 127.0.0.1:0 with a real store;
 * `spawnBroker` runs the real `restmq` command as a child process (for signals, crashes and
 * several brokers on one store). Both resolve once the broker listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startBroker, type RunningBroker } from '../../src/main.js';
import { freePort } from './redis.js';

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

const ROOT = new URL('../../', import.meta.url);

/**
 * Spawns `node --import tsx src/cli/run.ts serve --port <free port> ...args` and resolves once
 * its /health answers (whatever its log level), or rejects if it exits first.
 */
export async function spawnBroker(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; port?: number } = {}): Promise<SpawnedBroker> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'serve', '--port', String(port), '--log-level', 'info', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => output.push(line));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  let exitCode: number | string | undefined;
  void exited.then((c) => (exitCode = c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    if (exitCode !== undefined) throw new Error(`broker exited (${exitCode}) before listening:\n${output.join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`broker did not start in time:\n${output.join('\n')}`);
    }
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    child,
    output,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the CLI to completion (for bad-flag tests): exit code and output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
