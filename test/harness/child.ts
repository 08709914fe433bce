/**
 * Child processes for tests (brokers, redis-server, the CLI, examples): spawned with piped
 * output collected line by line, waited on by line or by exit, and stopped with SIGTERM then
 * SIGKILL. Every child still alive when the test process ends is killed: the runner cancels a
 * timed-out file with SIGTERM, which skips 'exit' handlers, so that signal kills them too and
 * is then re-raised.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The repository root: where `src/cli/run.ts` is found. */
export const ROOT = new URL('../../', import.meta.url);

const live = new Set<ChildProcess>();
const atExit: (() => void)[] = [];
/** Children started as their own process group: killed as a group. */
const groups = new Set<ChildProcess>();
const killAll = () => {
  for (const child of live) {
    try {
      if (groups.has(child) && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const fn of atExit) fn();
};
process.once('exit', killAll);
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    killAll();
    process.kill(process.pid, sig);
  });
}

/** Synchronous clean-up to run when the test process ends early (say, removing a temp dir). */
export function onProcessExit(fn: () => void): void {
  atExit.push(fn);
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  process: ChildProcess;
  /** Every stdout and stderr line so far, in arrival order. */
  lines: string[];
  /** stdout and stderr so far, as text. */
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** Whether the process is still running. */
  running(): boolean;
  /** Resolves with the first line (seen so far or to come) that matches; rejects when the
   *  process exits first or after `timeoutMs`. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Sends `signal` (default SIGTERM), SIGKILL after `graceMs`; resolves once it exited
   *  (its last output may still be on the way: await `exited` for all of it). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

export interface SpawnOptions {
  cwd?: string | URL;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  /** SIGKILL after this long whatever happens: a hung test never leaves the process behind. */
  killAfterMs?: number;
  /** Its own process group, signalled as a whole: for `npm start` and `npx`, whose program
   *  runs as a grandchild that a signal to npm alone may leave behind. */
  group?: boolean;
}

export function spawnChild(command: string, args: string[], opts: SpawnOptions = {}): Child {
  const child = spawn(command, args, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: opts.group === true,
  });
  const signal = (sig: NodeJS.Signals) => {
    if (opts.group === true && child.pid !== undefined) {
      try {
        process.kill(-child.pid, sig);
        return;
      } catch {
        // The group is gone already: fall through to the child itself.
      }
    }
    child.kill(sig);
  };
  live.add(child);
  if (opts.group === true) groups.add(child);
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const lines: string[] = [];
  const watchers = new Set<(line: string) => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const w of watchers) w(line);
    });
  }
  // 'close' rather than 'exit': by then every byte of output has been read.
  const exited = new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  // stop() resolves at 'exit': a restart on the same port should not wait for the pipes.
  const ended = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const guard = opts.killAfterMs === undefined ? undefined : setTimeout(() => signal('SIGKILL'), opts.killAfterMs);
  child.once('exit', () => {
    live.delete(child);
    if (guard) clearTimeout(guard);
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  let gone: Exit | undefined;
  void exited.then((e) => (gone = e));
  return {
    process: child,
    lines,
    stdout: () => out,
    stderr: () => err,
    exited,
    running,
    waitForLine(match, timeoutMs = 20_000) {
      const test = typeof match === 'function' ? match : (l: string) => match.test(l);
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      const what = typeof match === 'function' ? 'the expected line' : String(match);
      if (gone) return Promise.reject(new Error(`${command} exited (${gone.code ?? gone.signal}) before printing ${what}:\n${lines.join('\n')}`));
      return new Promise((resolve, reject) => {
        const settle = (fn: () => void) => {
          clearTimeout(timer);
          watchers.delete(watch);
          fn();
        };
        const timer = setTimeout(() => settle(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} from ${command}:\n${lines.join('\n')}`))), timeoutMs);
        const watch = (line: string) => {
          if (test(line)) settle(() => resolve(line));
        };
        watchers.add(watch);
        void exited.then((e) => settle(() => reject(new Error(`${command} exited (${e.code ?? e.signal}) before printing ${what}:\n${lines.join('\n')}`))));
      });
    },
    stop(sig = 'SIGTERM', graceMs = 5000) {
      if (running()) {
        signal(sig);
        const timer = setTimeout(() => signal('SIGKILL'), graceMs);
        void ended.then(() => clearTimeout(timer));
      }
      return ended;
    },
  };
}

/** Whether process `pid` still exists: for processes a child started (the workers of a
 *  supervisor), which this module does not hold. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to the end: its exit code and output. */
export async function runToExit(command: string, args: string[], opts: SpawnOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = spawnChild(command, args, opts);
  const { code } = await c.exited;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** `node --import tsx src/cli/run.ts <args>`: the restmq command, from source. */
export function cliArgs(args: string[]): string[] {
  return ['--import', 'tsx', 'src/cli/run.ts', ...args];
}
