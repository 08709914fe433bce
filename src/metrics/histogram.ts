/**
 * A histogram for the hot path (every HTTP request, every store call). prom-client's observe
 * validates and hashes the label set on every call (~600 ns of CPU measured here); a caller of
 * this one keeps the series of a label set and an observation is a bucket search and three
 * additions (~15 ns). It renders the text format itself, as prom-client would print it:
 * cumulative `_bucket{le=...}` lines with `+Inf`, then `_sum` and `_count`.
 */

function escape(value: string): string {
  return /["\\\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : value;
}

export class Series {
  /** Observations per bucket (not cumulative); the last slot is above every bound (+Inf). */
  private readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    private readonly bounds: readonly number[],
    /** `a="x",b="y"`, rendered once. */
    readonly labelText: string,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  render(name: string, out: string[]): void {
    const sep = this.labelText === '' ? '' : ',';
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += this.counts[i]!;
      out.push(`${name}_bucket{${this.labelText}${sep}le="${bound}"} ${cumulative}`);
    });
    out.push(`${name}_bucket{${this.labelText}${sep}le="+Inf"} ${this.count}`);
    const braces = this.labelText === '' ? '' : `{${this.labelText}}`;
    out.push(`${name}_sum${braces} ${this.sum}`, `${name}_count${braces} ${this.count}`);
  }
}

export class Histogram<L extends string> {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    private readonly bounds: readonly number[],
  ) {}

  /** The series of a label set, found by `key` (any string naming the set); created on first use. */
  of(key: string, labels: () => Record<L, string>): Series {
    let s = this.series.get(key);
    if (!s) {
      const values = labels();
      const text = this.labelNames.map((l) => `${l}="${escape(values[l])}"`).join(',');
      this.series.set(key, (s = new Series(this.bounds, text)));
    }
    return s;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const s of this.series.values()) s.render(this.name, out);
  }
}
