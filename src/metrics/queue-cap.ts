/**
 * The cap on per-queue series (--metrics-max-queues): with many queues, one series set per
 * queue makes every scrape as large as the queue list and costs Prometheus a series per queue.
 * The deepest queues (ready + inflight + delayed, then by name) keep their own series; all the
 * others are summed into one set labelled queue="(other)", so the totals over queues stay true.
 */
import type { QueueActivity } from '../core/activity.js';
import type { CappedOverview, QueueOverview } from '../core/overview.js';

/** The queue label of the summed series (parentheses are not allowed in queue names: it cannot collide with one). */
export const OTHER_QUEUES = '(other)';

/** An overview row; the summed one also says how many of its queues are stopped. */
export type MetricRow = Readonly<QueueOverview> & { readonly paused?: number };
type Row = MetricRow;
type Counts = Readonly<QueueActivity>;

const depth = (r: Row | undefined) => (r ? r.ready + r.inflight + r.delayed : 0);

/** The queues to render, in render order, with their rows and counters; `(other)` last. */
export function capQueues(rows: ReadonlyMap<string, Row>, counts: ReadonlyMap<string, Counts>, max: number):
  { queues: string[]; rows: Map<string, Row>; counts: Map<string, Counts> } {
  const queues = [...rows.keys()];
  for (const q of counts.keys()) if (!rows.has(q)) queues.push(q);
  if (max <= 0 || queues.length <= max) return { queues, rows: new Map(rows), counts: new Map(counts) };
  // The max-th largest depth on a typed copy (a numeric sort, no comparator calls), then the
  // queues above it and, in name order, as many at it as there is room for.
  const depths = Float64Array.from(queues, (q) => depth(rows.get(q)));
  const threshold = Float64Array.from(depths).sort()[depths.length - max]!;
  const above = queues.filter((_, i) => depths[i]! > threshold);
  const at = queues.filter((_, i) => depths[i] === threshold).sort();
  const kept = [...above.sort((a, b) => depth(rows.get(b)) - depth(rows.get(a)) || (a < b ? -1 : 1)), ...at.slice(0, max - above.length)];
  const keep = new Set(kept);
  const keptRows = new Map<string, Row>();
  const keptCounts = new Map<string, Counts>();
  for (const q of kept) {
    const r = rows.get(q);
    const c = counts.get(q);
    if (r) keptRows.set(q, r);
    if (c) keptCounts.set(q, c);
  }
  let other: QueueOverview & { paused: number } | undefined;
  let otherCounts: QueueActivity | undefined;
  for (const q of queues) {
    if (keep.has(q)) continue;
    const r = rows.get(q);
    if (r) other = addRow(other, r);
    const c = counts.get(q);
    if (c) otherCounts = addCounts(otherCounts, c);
  }
  if (other) keptRows.set(OTHER_QUEUES, other);
  if (otherCounts) keptCounts.set(OTHER_QUEUES, otherCounts);
  return { queues: [...kept, OTHER_QUEUES], rows: keptRows, counts: keptCounts };
}

/** The same from the store's ranking (core/overview.ts cappedOverview): the rows are the
 *  deepest queues already, the rest comes summed; the counters of every queue without a row
 *  are summed here. Without a rest (every queue has its row), as capQueues. */
export function capOverview(overview: CappedOverview, counts: ReadonlyMap<string, Counts>, max: number):
  { queues: string[]; rows: Map<string, Row>; counts: Map<string, Counts> } {
  const rows = new Map<string, Row>(overview.rows.map((r) => [r.queue, r]));
  if (!overview.rest) return capQueues(rows, counts, max);
  const queues = [...rows.keys(), OTHER_QUEUES];
  const keptCounts = new Map<string, Counts>();
  let otherCounts: QueueActivity | undefined;
  for (const [q, c] of counts) {
    if (rows.has(q)) keptCounts.set(q, c);
    else otherCounts = addCounts(otherCounts, c);
  }
  rows.set(OTHER_QUEUES, { ...overview.rest, queue: OTHER_QUEUES });
  if (otherCounts) keptCounts.set(OTHER_QUEUES, otherCounts);
  return { queues, rows, counts: keptCounts };
}

/** Sums: counts add up, paused counts the stopped queues, the oldest age is the largest. */
function addRow(sum: (QueueOverview & { paused: number }) | undefined, r: Row): QueueOverview & { paused: number } {
  const stopped = r.status === 'stopped' ? 1 : 0;
  if (!sum) return { ...r, queue: OTHER_QUEUES, consumers: { ...r.consumers }, paused: stopped };
  sum.paused += stopped;
  sum.ready += r.ready;
  sum.inflight += r.inflight;
  sum.delayed += r.delayed;
  sum.dead += r.dead;
  sum.deadLetteredTotal += r.deadLetteredTotal;
  for (const k of Object.keys(sum.consumers) as (keyof QueueOverview['consumers'])[]) sum.consumers[k] += r.consumers[k];
  if (r.oldestAgeSeconds != null && (sum.oldestAgeSeconds == null || r.oldestAgeSeconds > sum.oldestAgeSeconds)) sum.oldestAgeSeconds = r.oldestAgeSeconds;
  return sum;
}

function addCounts(sum: QueueActivity | undefined, c: Counts): QueueActivity {
  if (!sum) return { ...c };
  for (const k of Object.keys(sum) as (keyof QueueActivity)[]) sum[k] += c[k];
  return sum;
}
