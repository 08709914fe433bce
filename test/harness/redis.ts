/**
 * A private redis-server per test file: free port on 127.0.0.1, temp dir, no persistence
 * (unless asked), killed and cleaned up by stop(). Never touches 6379, never flushes.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { onProcessExit, spawnChild, type Child } from './child.js';

export interface RedisServer {
  host: string;
  port: number;
  url: string;
  stop(): Promise<void>;
  /** Kills and restarts the server on the same port and directory (data kept with appendonly). */
  restart(): Promise<void>;
  /** Kills the server with `signal` (default SIGKILL) and waits for it to exit; the dir is kept,
   *  so restart() brings it back on the same port with the appendonly data. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartRedisOptions {
  appendonly?: boolean;
  /** appendfsync policy when appendonly is on (redis default: everysec). */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** requirepass: clients must AUTH with it (the readiness probe does). */
  password?: string;
}

const HOST = '127.0.0.1';
// A test process that dies early must not leave data dirs behind (child.ts kills the servers).
const liveDirs = new Set<string>();
onProcessExit(() => {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
});

/** A port nobody listens on right now (the OS picks it; 6379 is skipped). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, HOST, () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
      });
    });
    if (port !== 0 && port !== 6379) return port;
  }
}

/** One PING over a raw socket (after AUTH when a password is set); true on +PONG. */
function pingOnce(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: HOST, port });
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write(password === undefined ? 'PING\r\n' : `AUTH ${password}\r\nPING\r\n`));
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('+PONG\r\n') || buf.includes('-')) done(buf.includes('+PONG\r\n'));
    });
  });
}

function spawnServer(port: number, dir: string, appendonly: boolean, appendfsync?: string, password?: string): Child {
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', appendonly ? 'yes' : 'no', '--dir', dir];
  if (appendonly && appendfsync) args.push('--appendfsync', appendfsync);
  if (password !== undefined) args.push('--requirepass', password);
  return spawnChild('redis-server', args);
}

/** Waits until the server answers PING; rejects when it exits or after `timeoutMs`. */
async function waitServerReady(server: Child, port: number, password?: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.running()) throw new Error(`redis-server on port ${port} exited early:\n${server.lines.join('\n')}`);
    if (await pingOnce(port, password)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  server.process.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms:\n${server.lines.join('\n')}`);
}

export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const appendonly = opts.appendonly ?? false;
  const appendfsync = opts.appendfsync;
  const password = opts.password;
  const dir = await mkdtemp(join(tmpdir(), 'restmq-redis-'));
  liveDirs.add(dir);
  let server: Child | undefined;
  let port = 0;
  let lastError: unknown;
  // Another process may grab the port between freePort() and the spawn: retry with a new one.
  for (let attempt = 0; attempt < 5 && !server; attempt++) {
    port = await freePort();
    const s = spawnServer(port, dir, appendonly, appendfsync, password);
    try {
      await waitServerReady(s, port, password);
      server = s;
    } catch (err) {
      lastError = err;
      await s.stop();
    }
  }
  if (!server) {
    await rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw lastError instanceof Error ? lastError : new Error('could not start redis-server');
  }
  let current: Child = server;
  return {
    host: HOST,
    port,
    url: `redis://${HOST}:${port}`,
    async stop() {
      await current.stop();
      await rm(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
    async restart() {
      await current.stop();
      const s = spawnServer(port, dir, appendonly, appendfsync, password);
      await waitServerReady(s, port, password);
      current = s;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!current.running()) return;
      await current.stop(signal);
    },
  };
}

/** A plain ioredis client for tests that read or write the legacy layout by hand. */
export function redisClient(port: number, db = 0): Redis {
  return new Redis({ host: HOST, port, db, maxRetriesPerRequest: 1 });
}

// For the cluster and Sentinel harnesses (redis-cluster.ts, redis-sentinel.ts): several servers
// of their own, spawned and cleaned up the same way as startRedis()'s.

/** Spawns a redis-server (or a Sentinel: `redis-server <conf> --sentinel`) that child.ts kills
 *  if the test process dies; `output()` is what it printed so far. */
export function spawnTracked(args: readonly string[]): { child: ChildProcess; output: () => string } {
  const c = spawnChild('redis-server', [...args]);
  return { child: c.process, output: () => c.lines.join('\n') };
}

/** Waits until the server answers PING; rejects when it exits or after `timeoutMs`. */
export async function waitReady(child: ChildProcess, port: number, output: () => string, password?: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server on port ${port} exited early:\n${output()}`);
    if (await pingOnce(port, password)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms:\n${output()}`);
}

/** A temp dir removed by remove() or, if the test process dies first, at its exit. */
export async function trackedTempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  liveDirs.add(dir);
  return {
    dir,
    remove: async () => {
      await rm(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };
}

/** SIGTERM (SIGKILL after 5 s, and SIGCONT in case it was stopped), resolved once it exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  child.kill('SIGCONT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
