/**
 * A small mergeable latency histogram for the stream bench: logarithmic buckets 2 % wide over
 * microseconds (1 µs .. hours), so a consumer process can record millions of samples cheaply
 * and ship a few hundred numbers to the bench process, which merges those of every process.
 */

const RATIO = 1.02;
const LOG_RATIO = Math.log(RATIO);
/** 1.02^1500 µs ≈ 8.6e12 µs: far above anything a run can see. */
const BUCKETS = 1500;

export interface HistogramData {
  /** [bucket index, count] for every non-empty bucket. */
  buckets: Array<[number, number]>;
  count: number;
  minUs: number;
  maxUs: number;
  sumUs: number;
}

export class LogHistogram {
  private counts = new Float64Array(BUCKETS);
  count = 0;
  minUs = Infinity;
  maxUs = 0;
  sumUs = 0;

  record(us: number): void {
    const v = us < 1 ? 1 : us;
    let i = Math.ceil(Math.log(v) / LOG_RATIO);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]!++;
    this.count++;
    this.sumUs += v;
    if (v < this.minUs) this.minUs = v;
    if (v > this.maxUs) this.maxUs = v;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.minUs = Infinity;
    this.maxUs = 0;
    this.sumUs = 0;
  }

  toData(): HistogramData {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return { buckets, count: this.count, minUs: this.count ? this.minUs : 0, maxUs: this.maxUs, sumUs: this.sumUs };
  }

  add(d: HistogramData): void {
    for (const [i, n] of d.buckets) this.counts[i]! += n;
    if (d.count > 0) {
      this.count += d.count;
      this.sumUs += d.sumUs;
      if (d.minUs < this.minUs) this.minUs = d.minUs;
      if (d.maxUs > this.maxUs) this.maxUs = d.maxUs;
    }
  }

  /** The q-quantile in ms (upper edge of its bucket, capped at the exact maximum). */
  quantileMs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(RATIO ** i, this.maxUs) / 1000;
    }
    return this.maxUs / 1000;
  }

  static merge(parts: readonly HistogramData[]): LogHistogram {
    const h = new LogHistogram();
    for (const p of parts) h.add(p);
    return h;
  }
}

/** CLOCK_MONOTONIC in µs: the same clock in every process on the box (libuv's hrtime). */
export function monoUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}
