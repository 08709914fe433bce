// The queue table and the totals cards of the overview.
/* global document */
import { $, RATES, age, el, enc, fmt, state } from './lib.js';
import { deleteQueue, setStatus } from './actions.js';

const sortValue = (row, key) => (RATES.includes(key) ? row.rates[key] : key === 'oldestAgeSeconds' ? (row[key] ?? -1) : row[key]);

/** Rows shown at once: sorting and the filter pick which (a thousand rows a second is sluggish). */
const MAX_ROWS = 200;

/** Rows stay in the DOM between samples; only the text that changed is written. */
const rows = new Map(); // queue -> { tr, cells, toggle, status }

const transportsText = (row) =>
  ['ws', 'sse', 'comet', 'poll']
    .filter((t) => row.transports[t] > 0)
    .map((t) => `${t} ${row.transports[t]}`)
    .join(' · ');

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function buildRow(queue) {
  const cells = {};
  const td = (col, cls = '') => (cells[col] = el('td', { class: cls, 'data-col': col }));
  const tr = el('tr', { 'data-queue': queue });
  tr.append(td('queue', 'name'), td('status'), td('policy'));
  for (const col of ['ready', 'inflight', 'delayed', 'dead', 'consumers', 'oldest', 'enqueued', 'delivered', 'acked']) tr.append(td(col, 'n'));
  cells.queue.append(el('a', { href: `#/queue/${enc(queue)}`, text: queue }));
  cells.badge = cells.status.appendChild(el('span', { class: 'badge' }));
  cells.count = cells.consumers.appendChild(el('span'));
  cells.transports = cells.consumers.appendChild(el('span', { class: 'sub' }));
  const entry = { tr, cells, status: 'started' };
  const toggle = el('button', { type: 'button', class: 'small' });
  toggle.addEventListener('click', () => setStatus(queue, entry.status === 'started' ? 'stop' : 'start', toggle));
  const remove = el('button', { type: 'button', class: 'small danger', text: 'Delete', title: `Delete the queue ${queue}` });
  remove.addEventListener('click', () => deleteQueue(queue, remove, () => {
    renderTotals(state.snapshot);
    renderTable(state.snapshot);
  }));
  tr.append(el('td', { 'data-action': '' }, toggle, ' ', remove));
  entry.toggle = toggle;
  return entry;
}

function updateRow(entry, row) {
  const { cells } = entry;
  entry.status = row.status;
  setText(cells.badge, row.status);
  cells.badge.className = `badge ${row.status}`;
  setText(cells.policy, row.policy);
  for (const col of ['ready', 'inflight', 'delayed', 'dead']) setText(cells[col], fmt(row[col]));
  cells.dead.classList.toggle('dead-some', row.dead > 0);
  setText(cells.count, fmt(row.consumers));
  setText(cells.transports, transportsText(row));
  setText(cells.oldest, age(row.oldestAgeSeconds));
  for (const col of RATES) setText(cells[col], fmt(row.rates[col]));
  setText(entry.toggle, row.status === 'started' ? 'Stop' : 'Start');
}

/** The default dead-letter queue of a queue. */
export const DEAD_SUFFIX = '.dead';

/** Each listed `<q>.dead` follows its parent `<q>` (when that is listed too), whatever the sort. */
function nestDeadLetters(rowsInOrder) {
  const names = new Set(rowsInOrder.map((r) => r.queue));
  const parentOf = (r) => (r.queue.endsWith(DEAD_SUFFIX) && names.has(r.queue.slice(0, -DEAD_SUFFIX.length)) ? r.queue.slice(0, -DEAD_SUFFIX.length) : null);
  const children = new Map();
  for (const r of rowsInOrder) {
    const parent = parentOf(r);
    if (parent !== null) children.set(parent, r);
  }
  const out = [];
  const place = (r) => {
    out.push(r);
    const child = children.get(r.queue);
    if (child) place(child);
  };
  for (const r of rowsInOrder) if (parentOf(r) === null) place(r);
  return out;
}

export function renderTable(snapshot) {
  const filter = $('#filter').value.trim().toLowerCase();
  const { key, asc } = state.sort;
  const shown = snapshot.queues
    .filter((r) => !filter || r.queue.toLowerCase().includes(filter))
    .sort((a, b) => {
      const x = sortValue(a, key);
      const y = sortValue(b, key);
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    });
  const visible = nestDeadLetters(shown).slice(0, MAX_ROWS);
  const names = new Set(visible.map((r) => r.queue));
  for (const queue of rows.keys()) if (!names.has(queue)) rows.delete(queue);
  const trs = visible.map((r, i) => {
    let entry = rows.get(r.queue);
    if (!entry) rows.set(r.queue, (entry = buildRow(r.queue)));
    updateRow(entry, r);
    const nested = i > 0 && r.queue === visible[i - 1].queue + DEAD_SUFFIX;
    entry.tr.classList.toggle('dead-letter', nested);
    if (nested) entry.tr.dataset.parent = visible[i - 1].queue;
    else delete entry.tr.dataset.parent;
    return entry.tr;
  });
  const body = $('#queues tbody');
  // Re-order only when the order changed: moving nodes costs layout, writing text barely.
  if (trs.length !== body.children.length || trs.some((tr, i) => body.children[i] !== tr)) body.replaceChildren(...trs);
  $('#no-queues').hidden = snapshot.queues.length > 0;
  const more = $('#more-queues');
  more.hidden = shown.length <= visible.length;
  setText(more, `Showing ${visible.length} of ${shown.length} queues: sort by a column or filter by name to see the others.`);
  for (const th of document.querySelectorAll('#queues th[data-sort]')) {
    th.classList.toggle('sorted', th.dataset.sort === key);
    th.classList.toggle('asc', th.dataset.sort === key && asc);
  }
}

export function renderTotals(snapshot) {
  const sum = (f) => snapshot.queues.reduce((n, r) => n + f(r), 0);
  const totals = {
    queues: snapshot.queues.length,
    ready: sum((r) => r.ready),
    inflight: sum((r) => r.inflight),
    delayed: sum((r) => r.delayed),
    dead: sum((r) => r.dead),
    consumers: sum((r) => r.consumers),
    enqueued: sum((r) => r.rates.enqueued),
    delivered: sum((r) => r.rates.delivered),
  };
  for (const node of document.querySelectorAll('[data-total]')) node.textContent = fmt(totals[node.dataset.total]);
}
