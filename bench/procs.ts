/**
 * Child processes and temp dirs of a bench run, and their cleanup.
 *
 * Everything the bench starts is registered here and torn down by `cleanup()`: on normal
 * completion, on an error, and on SIGINT/SIGTERM/SIGHUP. A last synchronous pass on 'exit'
 * SIGKILLs whatever is still alive and removes the temp dirs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = new URL('../', import.meta.url);

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
const cleanups: Array<() => Promise<void>> = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** An async teardown step (e.g. the harness's redis.stop()), run by cleanup(). */
export function onCleanup(fn: () => Promise<void>): () => void {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!alive(child)) {
    children.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

let cleaning: Promise<void> | undefined;

/** Stops every child, runs the teardown steps, removes the temp dirs. Safe to call twice. */
export function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    await Promise.allSettled([...children].map((c) => stopChild(c)));
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
    for (const dir of [...dirs]) removeDir(dir);
  })());
}

let installed = false;

/** Ctrl-C (and kill) → clean up, then exit 130/143; 'exit' → last-resort SIGKILL + rm. */
export function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping children and removing temp dirs...\n`);
      const hardExit = setTimeout(() => process.exit(1), 10_000);
      hardExit.unref();
      void cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
  process.once('exit', () => {
    for (const c of children) if (alive(c)) c.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

export interface NodeChild {
  child: ChildProcess;
  pid: number;
  /** Every stdout/stderr line so far (capped). */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Runs `node [nodeArgs] --import tsx <script> [args]` from the repo root (with a Node IPC
 * channel when `ipc`) and resolves when `ready(line)` returns true for an output line or
 * `probe()` resolves true (polled every 100 ms). Rejects if the child exits first or after
 * `timeoutMs`.
 */
export function spawnNode(
  script: string,
  args: string[],
  opts: { nodeArgs?: string[]; ready?: (line: string) => boolean; probe?: () => Promise<boolean>; timeoutMs?: number; env?: NodeJS.ProcessEnv; ipc?: boolean; cwd?: string } = {},
): Promise<NodeChild> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    // `ipc`: a Node IPC channel as fd 3 (child.send / process.on('message')).
    stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const output: string[] = [];
  const handle: NodeChild = { child, pid: child.pid ?? -1, output, stop: () => stopChild(child) };
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poller);
      if (err) {
        void stopChild(child, 1000);
        reject(err);
      } else resolve(handle);
    };
    const timer = setTimeout(() => finish(new Error(`${script} did not become ready in time:\n${output.join('\n')}`)), opts.timeoutMs ?? 30_000);
    child.once('exit', (code, signal) => finish(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${output.join('\n')}`)));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (output.length < 200) output.push(line);
        if (opts.ready?.(line)) finish();
      });
    }
    let probing = false;
    const poller = setInterval(() => {
      if (!opts.probe || probing || settled) return;
      probing = true;
      opts.probe().then(
        (ok) => {
          probing = false;
          if (ok) finish();
        },
        () => (probing = false),
      );
    }, 100);
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined if gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** `pid` and its descendants (nginx master → workers), from the ppid field of /proc/<n>/stat. */
export function processTree(pid: number): number[] {
  const parent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const kids = parent.get(ppid) ?? [];
      kids.push(Number(name));
      parent.set(ppid, kids);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const k of parent.get(p) ?? []) walk(k);
  };
  walk(pid);
  return out;
}

/** CPU seconds of `pids` together (processes that are gone count 0). */
export function processesCpuSeconds(pids: number[]): number {
  return pids.reduce((a, p) => a + (processCpuSeconds(p) ?? 0), 0);
}

/** Resident memory of `pids` together, in bytes (VmRSS; shared pages count once per process). */
export function processesRssBytes(pids: number[]): number {
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb * 1024;
}

/**
 * Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. Of busy:
 * `irq` (hard + soft interrupts: on loopback, most of the TCP work of every process, which is
 * not charged to any process) and `steal` (taken by the hypervisor for other VMs).
 */
export function machineCpuSeconds(): { busy: number; total: number; irq: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK, irq: ((v[5] ?? 0) + (v[6] ?? 0)) / CLK_TCK, steal: (v[7] ?? 0) / CLK_TCK };
}

/** Linux USER_HZ; 100 on every mainstream kernel build. */
const CLK_TCK = 100;
