// The queue table and the totals cards of the overview.
/* global document */
import { $, RATES, age, el, enc, fmt, getJson, state } from './lib.js';
import { deleteQueue, setStatus } from './actions.js';

const sortValue = (row, key) => (RATES.includes(key) ? row.rates[key] : key === 'oldestAgeSeconds' ? (row[key] ?? -1) : row[key]);

/** Rows shown at once: sorting and the filter pick which (a thousand rows a second is sluggish). */
const MAX_ROWS = 200;

/** Rows stay in the DOM between samples; only the text that changed is written. A dead-letter
 *  queue named by several queues has a row under each: rows are keyed by parent and queue. */
const rows = new Map(); // `${parent}\n${queue}` -> { tr, cells, toggle, status }

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

/** `dead`: the messages in the queue's dead-letter queue (its setting's, as the queue page shows). */
function updateRow(entry, row, dead) {
  const { cells } = entry;
  entry.status = row.status;
  setText(cells.badge, row.status);
  cells.badge.className = `badge ${row.status}`;
  setText(cells.policy, row.policy);
  for (const col of ['ready', 'inflight', 'delayed']) setText(cells[col], fmt(row[col]));
  setText(cells.dead, fmt(dead));
  cells.dead.title = `in ${deadLetterOf(row.queue)}`;
  cells.dead.classList.toggle('dead-some', dead > 0);
  setText(cells.count, fmt(row.consumers));
  setText(cells.transports, transportsText(row));
  setText(cells.oldest, age(row.oldestAgeSeconds));
  for (const col of RATES) setText(cells[col], fmt(row.rates[col]));
  setText(entry.toggle, row.status === 'started' ? 'Stop' : 'Start');
}

/** The default dead-letter queue of a queue. */
export const DEAD_SUFFIX = '.dead';

/** Queue -> the dead-letter queue its `dead_letter` setting names, where that is not `<q>.dead`
 *  (GET /dashboard/api/dead-letters). Read every 10 s, and at once when queues come or go. */
const customDead = new Map();
const DEAD_EVERY_MS = 10_000;
const dead = { at: 0, count: -1, loading: false };

function refreshDeadLetters(snapshot, rerender) {
  if (dead.loading || (Date.now() - dead.at < DEAD_EVERY_MS && dead.count === snapshot.queues.length && !state.deadLettersStale)) return;
  dead.loading = true;
  state.deadLettersStale = false;
  dead.count = snapshot.queues.length;
  getJson('dead-letters')
    .then(({ deadLetters }) => {
      const before = JSON.stringify([...customDead]);
      customDead.clear();
      for (const [q, dlq] of Object.entries(deadLetters)) customDead.set(q, dlq);
      if (JSON.stringify([...customDead]) !== before) rerender();
    })
    .catch(() => {}) // the table still nests the default `<q>.dead`
    .finally(() => {
      dead.at = Date.now();
      dead.loading = false;
    });
}

/** The dead-letter queue of a queue: its setting's, else `<q>.dead`. */
const deadLetterOf = (queue) => customDead.get(queue) ?? queue + DEAD_SUFFIX;

/**
 * Each listed dead-letter queue follows every listed queue that names it (by its setting, or
 * by default `<q>.dead`), whatever the sort: [{ row, parent }], parent null at the top level.
 * A chain nests deeper; a loop (two queues naming each other) is broken at the top level.
 */
function nestDeadLetters(rowsInOrder) {
  const byName = new Map(rowsInOrder.map((r) => [r.queue, r]));
  const children = new Map(); // parent -> child rows, in the given order
  const nested = new Set();
  for (const r of rowsInOrder) {
    const dlq = deadLetterOf(r.queue);
    const child = dlq === r.queue ? undefined : byName.get(dlq);
    if (!child) continue;
    if (!children.has(r.queue)) children.set(r.queue, []);
    children.get(r.queue).push(child);
    nested.add(dlq);
  }
  const out = [];
  const placed = new Set();
  const place = (r, parent, path) => {
    out.push({ row: r, parent });
    placed.add(r.queue);
    for (const c of children.get(r.queue) ?? []) if (!path.has(c.queue)) place(c, r.queue, new Set([...path, c.queue]));
  };
  for (const r of rowsInOrder) if (!nested.has(r.queue)) place(r, null, new Set([r.queue]));
  for (const r of rowsInOrder) if (!placed.has(r.queue)) place(r, null, new Set([r.queue]));
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
  refreshDeadLetters(snapshot, () => renderTable(state.snapshot));
  const visible = nestDeadLetters(shown).slice(0, MAX_ROWS);
  const rowKey = (v) => `${v.parent ?? ''}\n${v.row.queue}`;
  const readyOf = new Map(snapshot.queues.map((r) => [r.queue, r.ready]));
  const deadOf = (r) => (customDead.has(r.queue) ? readyOf.get(customDead.get(r.queue)) ?? 0 : r.dead);
  const keys = new Set(visible.map(rowKey));
  for (const key of rows.keys()) if (!keys.has(key)) rows.delete(key);
  const trs = visible.map((v) => {
    let entry = rows.get(rowKey(v));
    if (!entry) rows.set(rowKey(v), (entry = buildRow(v.row.queue)));
    updateRow(entry, v.row, deadOf(v.row));
    entry.tr.classList.toggle('dead-letter', v.parent !== null);
    if (v.parent !== null) {
      entry.tr.dataset.parent = v.parent;
      entry.cells.queue.title = `dead-letter queue of ${v.parent}`;
    } else {
      delete entry.tr.dataset.parent;
      entry.cells.queue.title = '';
    }
    return entry.tr;
  });
  const body = $('#queues tbody');
  // Re-order only when the order changed: moving nodes costs layout, writing text barely.
  if (trs.length !== body.children.length || trs.some((tr, i) => body.children[i] !== tr)) body.replaceChildren(...trs);
  $('#no-queues').hidden = snapshot.queues.length > 0;
  const more = $('#more-queues');
  const listed = new Set(visible.map((v) => v.row.queue)).size;
  more.hidden = shown.length <= listed;
  setText(more, `Showing ${listed} of ${shown.length} queues: sort by a column or filter by name to see the others.`);
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
