/**
 * The consumer processes of the push-delivery suite (consumer-process.ts, over a Node IPC
 * channel): they hold the connections and report counts, progress and lag samples.
 */
import { LogHistogram, type HistogramData } from '../histogram.js';
import { spawnNode, type NodeChild } from '../procs.js';
import type { StreamTransport, WorkerCommand, WorkerEvent, WorkerStats } from './consumer-process.js';

export class ConsumerPool {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (s: WorkerStats | undefined) => void; reject: (e: Error) => void }>();
  private readonly mins: number[];
  private active: number[] = [];
  onProgress: (() => void) | undefined;
  onArrival: ((e: Extract<WorkerEvent, { type: 'arrival' }>) => void) | undefined;

  private constructor(readonly procs: NodeChild[]) {
    this.mins = procs.map(() => 0);
    procs.forEach((p, i) => {
      p.child.on('message', (raw) => this.onMessage(i, raw as WorkerEvent));
      p.child.once('exit', (code, signal) => {
        for (const w of this.pending.values()) w.reject(new Error(`consumer process ${p.pid} exited (${code ?? signal}): ${p.output.slice(-5).join(' | ')}`));
        this.pending.clear();
      });
    });
  }

  static async start(n: number): Promise<ConsumerPool> {
    const procs = await Promise.all(
      Array.from({ length: n }, () => spawnNode('bench/stream/consumer-process.ts', [], { ipc: true, ready: (line) => line.includes('"ready"') })),
    );
    return new ConsumerPool(procs);
  }

  get pids(): number[] {
    return this.procs.map((p) => p.pid);
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop()));
  }

  private onMessage(i: number, e: WorkerEvent): void {
    switch (e.type) {
      case 'reply': {
        const w = this.pending.get(e.id);
        this.pending.delete(e.id);
        if (!w) return;
        if (e.ok) w.resolve(e.stats);
        else w.reject(new Error(e.error));
        return;
      }
      case 'progress':
        this.mins[i] = e.min;
        this.onProgress?.();
        return;
      case 'arrival':
        this.onArrival?.(e);
        return;
    }
  }

  private request(i: number, cmd: DistributiveOmit<WorkerCommand, 'id'>): Promise<WorkerStats | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.procs[i]!.child.send({ ...cmd, id });
    });
  }

  private all(cmd: DistributiveOmit<WorkerCommand, 'id'>): Promise<Array<WorkerStats | undefined>> {
    return Promise.all(this.active.map((i) => this.request(i, cmd)));
  }

  /** Opens `count` connections spread over the first `processes` consumer processes. */
  async open(url: string, path: string, transport: StreamTransport, count: number, opts: { sampleEvery: number; notify: boolean; processes: number }): Promise<number> {
    const n = Math.max(1, Math.min(opts.processes, this.procs.length, count));
    this.active = Array.from({ length: n }, (_, i) => i);
    await Promise.all(
      this.active.map((i) => {
        const share = Math.floor(count / n) + (i < count % n ? 1 : 0);
        return this.request(i, { cmd: 'open', url, path, transport, count: share, sampleEvery: opts.sampleEvery, notify: opts.notify });
      }),
    );
    return n;
  }

  async reset(): Promise<void> {
    await this.all({ cmd: 'reset' });
    for (const i of this.active) this.mins[i] = 0;
  }

  async watch(on: boolean): Promise<void> {
    await this.all({ cmd: 'watch', on });
  }

  /** Smallest count of any open connection since the last reset. */
  minAll(): number {
    let min = Infinity;
    for (const i of this.active) min = Math.min(min, this.mins[i]!);
    return min === Infinity ? 0 : min;
  }

  async stats(): Promise<WorkerStats & { lagHist: LogHistogram }> {
    const parts = (await this.all({ cmd: 'stats' })).filter((s): s is WorkerStats => s !== undefined);
    const lagHist = LogHistogram.merge(parts.map((p) => p.lag));
    const firsts = parts.map((p) => p.firstUs).filter((x) => x > 0);
    return {
      connections: parts.reduce((a, p) => a + p.connections, 0),
      ended: parts.reduce((a, p) => a + p.ended, 0),
      total: parts.reduce((a, p) => a + p.total, 0),
      minPerConnection: Math.min(...parts.map((p) => p.minPerConnection)),
      maxPerConnection: Math.max(...parts.map((p) => p.maxPerConnection)),
      firstUs: firsts.length ? Math.min(...firsts) : 0,
      lastUs: Math.max(0, ...parts.map((p) => p.lastUs)),
      lag: lagHist.toData() satisfies HistogramData,
      lagHist,
      errors: parts.flatMap((p) => p.errors),
    };
  }

  async close(): Promise<void> {
    await this.all({ cmd: 'close' });
    this.active = [];
  }

  /** Resolves true once every consumer has `n` messages; false after `timeoutMs`, or 3 s without progress. */
  waitDelivered(n: number, timeoutMs: number): Promise<boolean> {
    if (this.minAll() >= n) return Promise.resolve(true);
    return new Promise((resolve) => {
      let last = this.minAll();
      let lastChange = Date.now();
      const deadline = Date.now() + timeoutMs;
      const check = () => {
        const min = this.minAll();
        if (min >= n) return done(true);
        if (min !== last) {
          last = min;
          lastChange = Date.now();
        }
      };
      const timer = setInterval(() => {
        check();
        if (Date.now() >= deadline || Date.now() - lastChange > 3000) done(false);
      }, 50);
      const previous = this.onProgress;
      this.onProgress = check;
      let finished = false;
      const done = (ok: boolean) => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        this.onProgress = previous;
        resolve(ok);
      };
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
