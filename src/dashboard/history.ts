/**
 * The live feed's chart history: every sample of the last few minutes, and before them an
 * hour of coarser buckets (the mean of the samples each bucket covers; the oldest-age column,
 * a maximum, keeps its maximum). An hour of 1-second samples would be 3,600 points per open
 * page; as buckets it is 240.
 */
import { byQueueName } from '../core/names.js';

/** One chart point: [ready, inflight, delayed, dead, enqueued/s, delivered/s, acked/s, oldest
 *  age s] over all queues (sums; the oldest age is the largest), and per queue while there
 *  are few enough to keep. */
export type Point = { t: number; all: number[]; q: Record<string, number[]>; /** samples in a bucket; absent on a sample */ n?: number };

/** The column that is a maximum, not a sum: merged as a maximum too. */
const MAX_COLUMN = 7;

export interface HistoryOptions {
  /** Samples younger than this are kept as they are. */
  fineMs: number;
  /** Width of one older bucket. */
  bucketMs: number;
  /** Nothing older than this is kept. */
  spanMs: number;
}

export const HISTORY_DEFAULTS: HistoryOptions = { fineMs: 5 * 60_000, bucketMs: 15_000, spanMs: 60 * 60_000 };

export class ChartHistory {
  private readonly fine: Point[] = [];
  private readonly coarse: (Point & { n: number })[] = [];

  constructor(private readonly options: HistoryOptions = HISTORY_DEFAULTS) {}

  push(point: Point): void {
    this.fine.push(point);
    const fineFrom = point.t - this.options.fineMs;
    while (this.fine.length > 0 && this.fine[0]!.t < fineFrom) this.fold(this.fine.shift()!);
    const from = point.t - this.options.spanMs;
    while (this.coarse.length > 0 && this.coarse[0]!.t < from) this.coarse.shift();
  }

  /** Oldest first: the buckets, then the samples. */
  points(): Point[] {
    return [...this.coarse, ...this.fine];
  }

  get size(): number {
    return this.coarse.length + this.fine.length;
  }

  /** Adds an aged sample to its bucket (a running mean, placed at the bucket's start). */
  private fold(p: Point): void {
    const start = Math.floor(p.t / this.options.bucketMs) * this.options.bucketMs;
    const last = this.coarse.at(-1);
    if (!last || last.t !== start) {
      this.coarse.push({ t: start, all: [...p.all], q: copyRows(p.q), n: 1 });
      return;
    }
    last.n += 1;
    merge(last.all, p.all, last.n);
    // A queue missing from either side (totals only, or a new queue) counts as absent there.
    for (const [queue, row] of Object.entries(p.q)) {
      const into = last.q[queue];
      if (into) merge(into, row, last.n);
      else last.q[queue] = [...row];
    }
  }
}

function merge(into: number[], row: readonly number[], n: number): void {
  row.forEach((v, i) => (into[i] = i === MAX_COLUMN ? Math.max(into[i] ?? 0, v) : (into[i] ?? 0) + (v - (into[i] ?? 0)) / n));
}

function copyRows(q: Record<string, number[]>): Record<string, number[]> {
  const out = byQueueName<number[]>();
  for (const [queue, row] of Object.entries(q)) out[queue] = [...row];
  return out;
}
