/**
 * The per-queue metric families, rendered straight to Prometheus text from the queue overview
 * and the Activity counters. They are most of a scrape (13 series per queue), and going through
 * prom-client's label maps cost ~35 ms of CPU per 1,000 queues against ~4 ms here, so these
 * families bypass it; everything else (histograms, process metrics) stays in prom-client's
 * registry and the two texts are joined. Same names, help and types as prom-client would print.
 */
import type { Activity, QueueActivity } from '../core/activity.js';
import type { CappedOverview } from '../core/overview.js';
import { capOverview, type MetricRow } from './queue-cap.js';

type Row = MetricRow;
type Counts = Readonly<QueueActivity>;

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** Sample lines for one queue, given its `queue="..."` label text; none to skip it. */
  lines(row: Row | undefined, counts: Counts | undefined, label: string, out: string[]): void;
}

const STATES = ['ready', 'inflight', 'delayed', 'dead'] as const;
const TRANSPORTS = ['poll', 'comet', 'sse', 'ws'] as const;

/** A counter per queue from one Activity field; absent until it moves, as prom-client does. */
function counter(name: string, help: string, field: keyof QueueActivity): Family {
  return {
    name, help, type: 'counter',
    lines: (_row, counts, label, out) => {
      if (counts && counts[field] > 0) out.push(`${name}{${label}} ${counts[field]}`);
    },
  };
}

export const QUEUE_FAMILIES: readonly Family[] = [
  {
    name: 'restmq_queue_messages', help: 'Messages by state: ready, inflight (leased), delayed, dead (in <queue>.dead).', type: 'gauge',
    lines: (row, _c, label, out) => {
      if (row) for (const s of STATES) out.push(`restmq_queue_messages{${label},state="${s}"} ${row[s]}`);
    },
  },
  {
    name: 'restmq_queue_oldest_message_age_seconds', help: 'Age of the oldest ready message (absent when none is ready or dated).', type: 'gauge',
    lines: (row, _c, label, out) => {
      if (row?.oldestAgeSeconds != null) out.push(`restmq_queue_oldest_message_age_seconds{${label}} ${row.oldestAgeSeconds}`);
    },
  },
  {
    name: 'restmq_queue_paused', help: '1 when the queue is stopped (no delivery), else 0 (queue="(other)": how many of those queues are stopped).', type: 'gauge',
    lines: (row, _c, label, out) => {
      if (row) out.push(`restmq_queue_paused{${label}} ${row.paused ?? (row.status === 'stopped' ? 1 : 0)}`);
    },
  },
  {
    name: 'restmq_queue_consumers', help: 'Streams on this broker by transport; poll: long polls waiting on every broker.', type: 'gauge',
    lines: (row, _c, label, out) => {
      if (row) for (const t of TRANSPORTS) out.push(`restmq_queue_consumers{${label},transport="${t}"} ${row.consumers[t]}`);
    },
  },
  {
    name: 'restmq_queue_consumers_all_brokers', help: 'Streaming consumers of the queue on every broker sharing the store.', type: 'gauge',
    lines: (row, _c, label, out) => {
      if (row) out.push(`restmq_queue_consumers_all_brokers{${label}} ${row.consumers.total}`);
    },
  },
  counter('restmq_messages_enqueued_total', 'Messages accepted by enqueue calls on this broker.', 'enqueued'),
  {
    name: 'restmq_messages_delivered_total', type: 'counter',
    help: 'Messages handed to consumers: pull (GET, take, lease) or push (written to a stream; one per consumer copy).',
    lines: (_row, counts, label, out) => {
      if (!counts) return;
      const pull = counts.delivered - counts.deliveredPush;
      if (pull > 0) out.push(`restmq_messages_delivered_total{${label},mode="pull"} ${pull}`);
      if (counts.deliveredPush > 0) out.push(`restmq_messages_delivered_total{${label},mode="push"} ${counts.deliveredPush}`);
    },
  },
  counter('restmq_messages_acked_total', 'Leased messages acknowledged (removed for good).', 'acked'),
  counter('restmq_messages_redelivered_total', 'Leases of messages leased before (their earlier lease expired or was nacked).', 'redelivered'),
  {
    name: 'restmq_messages_dead_lettered_total', type: 'counter',
    help: 'Messages moved from this queue to a dead-letter queue, counted by the store (the same on every broker).',
    lines: (row, _c, label, out) => {
      if (row && row.deadLetteredTotal > 0) out.push(`restmq_messages_dead_lettered_total{${label}} ${row.deadLetteredTotal}`);
    },
  },
  counter('restmq_messages_expired_total', 'Messages whose TTL had passed, dropped when a consumer reached them.', 'expired'),
  counter('restmq_receives_empty_total', 'Receives (GET, take, lease; a long poll at its end) that found no message.', 'emptyReceives'),
];

/** Label value escaping of the text format (queue names are plain, but an old broker's may not be). */
function escape(value: string): string {
  return /["\\\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : value;
}

/** Every queue family as exposition text: the overview's queues, and any queue with counters;
 *  beyond `maxQueues` of them (0: no cap) the shallowest are summed (queue-cap.ts). */
export function renderQueueFamilies(overview: CappedOverview, activity: Activity, maxQueues: number): string {
  const { queues, rows, counts } = capOverview(overview, activity.snapshot(), maxQueues);
  const labels = queues.map((q) => `queue="${escape(q)}"`);
  const out: string[] = [];
  for (const f of QUEUE_FAMILIES) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    queues.forEach((q, i) => f.lines(rows.get(q), counts.get(q), labels[i]!, out));
  }
  out.push('');
  return out.join('\n');
}
