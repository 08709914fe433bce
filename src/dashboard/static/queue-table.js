// The queue table and the totals cards of the overview.
/* global document */
import { $, RATES, age, el, enc, fmt, state } from './lib.js';
import { setStatus } from './actions.js';

const sortValue = (row, key) => (RATES.includes(key) ? row.rates[key] : key === 'oldestAgeSeconds' ? (row[key] ?? -1) : row[key]);

function consumersCell(row) {
  const parts = ['ws', 'sse', 'comet', 'poll'].filter((t) => row.transports[t] > 0).map((t) => `${t} ${row.transports[t]}`);
  const cell = el('td', { class: 'n', 'data-col': 'consumers' }, fmt(row.consumers));
  if (parts.length) cell.append(el('span', { class: 'sub', text: parts.join(' · ') }));
  return cell;
}

function queueRow(row) {
  const href = `#/queue/${enc(row.queue)}`;
  const num = (key, value = row[key]) => el('td', { class: 'n', 'data-col': key, text: fmt(value) });
  const tr = el(
    'tr',
    { 'data-queue': row.queue },
    el('td', { class: 'name', 'data-col': 'queue' }, el('a', { href, text: row.queue })),
    el('td', { 'data-col': 'status' }, el('span', { class: `badge ${row.status}`, text: row.status })),
    el('td', { 'data-col': 'policy', text: row.policy }),
    num('ready'),
    num('inflight'),
    num('delayed'),
    num('dead'),
    consumersCell(row),
    el('td', { class: 'n', 'data-col': 'oldest', text: age(row.oldestAgeSeconds) }),
    num('enqueued', row.rates.enqueued),
    num('delivered', row.rates.delivered),
    num('acked', row.rates.acked),
  );
  if (row.dead > 0) tr.querySelector('[data-col="dead"]').classList.add('dead-some');
  const toggle = el('button', { type: 'button', class: 'small', text: row.status === 'started' ? 'Stop' : 'Start' });
  toggle.addEventListener('click', () => setStatus(row.queue, row.status === 'started' ? 'stop' : 'start', toggle));
  tr.append(el('td', { 'data-action': '' }, toggle));
  return tr;
}

export function renderTable(snapshot) {
  const filter = $('#filter').value.trim().toLowerCase();
  const { key, asc } = state.sort;
  const rows = snapshot.queues
    .filter((r) => !filter || r.queue.toLowerCase().includes(filter))
    .sort((a, b) => {
      const x = sortValue(a, key);
      const y = sortValue(b, key);
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    });
  $('#queues tbody').replaceChildren(...rows.map(queueRow));
  $('#no-queues').hidden = snapshot.queues.length > 0;
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
