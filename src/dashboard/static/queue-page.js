// The queue page: its cards, settings, dead letters, message list and consumers.
/* global document */
import { $, RATES, age, enc, fmt, getJson, state, toast } from './lib.js';
import { consumerRows } from './consumers.js';
import { list, loadMessages } from './messages.js';

const LIST_REFRESH_MS = 5000;

const emptyRow = (queue) => ({ queue, ready: 0, inflight: 0, delayed: 0, dead: 0, consumers: 0, transports: { comet: 0, sse: 0, ws: 0, poll: 0 }, status: 'started', policy: 'broadcast', oldestAgeSeconds: null, rates: { enqueued: 0, delivered: 0, acked: 0 } });

export function renderQueue(snapshot) {
  const q = state.queue;
  const row = snapshot.queues.find((r) => r.queue === q) ?? emptyRow(q);
  $('#q-status').textContent = row.status;
  $('#q-status').className = `badge ${row.status}`;
  $('#q-policy').textContent = row.policy;
  // The action controls are absent on a read-only dashboard.
  const toggle = $('#btn-toggle');
  if (toggle) {
    toggle.textContent = row.status === 'started' ? 'Stop queue' : 'Start queue';
    toggle.dataset.next = row.status === 'started' ? 'stop' : 'start';
  }
  const policy = $('#policy-select');
  if (policy && document.activeElement !== policy) policy.value = row.policy;
  $('#set-policy').textContent = row.policy;
  for (const node of document.querySelectorAll('[data-q]')) {
    const k = node.dataset.q;
    node.textContent = k === 'oldestAgeSeconds' ? age(row[k]) : fmt(RATES.includes(k) ? row.rates[k] : row[k]);
  }
  const dlq = state.detail?.deadLetter ?? `${q}.dead`;
  const dlqRow = snapshot.queues.find((r) => r.queue === dlq);
  const dlqCount = $('#dlq-count');
  if (dlqCount) dlqCount.textContent = fmt(dlqRow ? dlqRow.ready : row.dead);
  const mine = snapshot.consumers.filter((c) => c.queue === q);
  $('#q-consumers tbody').replaceChildren(...consumerRows(mine, false));
  $('#q-consumers').hidden = mine.length === 0;
  $('#q-consumers-empty').hidden = mine.length > 0;
  // The list follows the counts: fetch again when they moved, and every few seconds anyway
  // (a delete and a send between two samples leave the counts as they were).
  const seen = `${row.ready}/${row.dead}/${row.inflight}/${row.delayed}/${dlqRow?.ready ?? 0}`;
  if (seen !== state.peekSeen || Date.now() - list.loadedAt > LIST_REFRESH_MS) {
    state.peekSeen = seen;
    void loadMessages();
  }
}

export async function loadDetail() {
  const q = state.queue;
  try {
    const d = await getJson(`queues/${enc(q)}`);
    if (q !== state.queue) return;
    state.detail = d;
    const dlqName = $('#dlq-name');
    if (dlqName) dlqName.textContent = d.deadLetter;
    $('#set-dlq').textContent = d.deadLetter;
    $('#set-lease').textContent = d.leaseSeconds ? `${d.leaseSeconds} s` : 'none (GET removes)';
    $('#set-attempts').textContent = d.maxAttempts ?? 'unlimited';
    fillSettingsForm(d);
  } catch (err) {
    toast(`Could not load ${q}: ${err.message}`, true);
  }
}

/** The settings form (absent when read-only) shows the current values, unless being edited. */
function fillSettingsForm(d) {
  const form = $('#settings-form');
  if (!form || (document.activeElement?.tagName === 'INPUT' && form.contains(document.activeElement))) return;
  $('#edit-lease').value = d.leaseSeconds ?? '';
  $('#edit-attempts').value = d.maxAttempts ?? '';
  $('#edit-dlq').value = d.deadLetter;
}

