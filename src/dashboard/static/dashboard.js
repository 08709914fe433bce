// The RestMQ dashboard: plain browser JavaScript, no build step. Live figures arrive over
// Server-Sent Events (/dashboard/api/events, one sample a second); actions call the broker's
// own routes, so the ACL applies to them as to any client.
/* global document, window, location, EventSource */
import { $, API, HISTORY, getJson, state, toast } from './lib.js';
import { drawCharts } from './charts.js';
import { renderTable, renderTotals } from './queue-table.js';
import { renderConsumers } from './consumers.js';
import { loadDetail, renderQueue } from './queue-page.js';
import { wireActions } from './actions.js';
import { list, wireMessages } from './messages.js';

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const previous = state.queue;
  if (hash.startsWith('queue/')) {
    state.view = 'queue';
    state.queue = decodeURIComponent(hash.slice('queue/'.length));
  } else {
    state.view = hash === 'consumers' ? 'consumers' : 'overview';
    state.queue = null;
  }
  for (const v of ['overview', 'queue', 'consumers']) $(`#view-${v}`).hidden = v !== state.view;
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === state.view || (state.view === 'queue' && a.dataset.nav === 'overview'));
  if (state.view === 'queue') {
    $('#q-name').textContent = state.queue;
    document.title = `${state.queue} · RestMQ`;
    if (previous !== state.queue) {
      state.detail = null;
      state.peekSeen = '';
      $('#peek-source').value = 'queue';
      Object.assign(list, { offset: 0, key: '', value: '' });
      $('#search-key').value = '';
      $('#search-value').value = '';
      $('#peek tbody').replaceChildren();
      void loadDetail();
    }
  } else {
    document.title = 'RestMQ dashboard';
  }
  render();
}

function render() {
  const s = state.snapshot;
  if (!s) return;
  if (state.view === 'overview') {
    renderTotals(s);
    renderTable(s);
  } else if (state.view === 'queue') renderQueue(s);
  else void renderConsumers();
  drawCharts();
}

function addPoint(s) {
  const q = {};
  const all = [0, 0, 0, 0, 0, 0, 0, 0];
  for (const r of s.queues) {
    const row = [r.ready, r.inflight, r.delayed, r.dead, r.rates.enqueued, r.rates.delivered, r.rates.acked, r.oldestAgeSeconds ?? 0];
    row.forEach((v, i) => (all[i] = i === 7 ? Math.max(all[i], v) : all[i] + v));
    q[r.queue] = row;
  }
  state.points.push({ t: s.time, all, q });
  state.samples += 1;
  foldHistory(s.time);
  document.body.dataset.samples = String(state.samples);
  document.body.dataset.historySeconds = String(Math.round((s.time - state.points[0].t) / 1000));
}

/** Samples older than the fine window join their bucket, as on the broker; past the span they go. */
function foldHistory(now) {
  const points = state.points;
  const from = now - HISTORY.spanMs;
  while (points.length > 0 && points[0].t < from) points.shift();
  // Buckets carry `n` (samples folded in); the first point without one is the oldest sample.
  let i = points.findIndex((p) => p.n === undefined);
  while (i >= 0 && i < points.length && points[i].t < now - HISTORY.fineMs) {
    const p = points[i];
    const start = Math.floor(p.t / HISTORY.bucketMs) * HISTORY.bucketMs;
    const prev = points[i - 1];
    if (prev && prev.t === start && prev.n !== undefined) {
      prev.n += 1;
      mergeRow(prev.all, p.all, prev.n);
      for (const [queue, row] of Object.entries(p.q)) {
        if (prev.q[queue]) mergeRow(prev.q[queue], row, prev.n);
        else prev.q[queue] = [...row];
      }
      points.splice(i, 1);
    } else {
      points[i] = { t: start, all: [...p.all], q: Object.fromEntries(Object.entries(p.q).map(([k, r]) => [k, [...r]])), n: 1 };
      i += 1;
    }
  }
}

function mergeRow(into, row, n) {
  row.forEach((v, i) => (into[i] = i === 7 ? Math.max(into[i] ?? 0, v) : (into[i] ?? 0) + (v - (into[i] ?? 0)) / n));
}

function setLive(stateName, text) {
  const live = $('#live');
  live.dataset.state = stateName;
  live.lastElementChild.textContent = text;
}

function connect() {
  const source = new EventSource(API + 'events');
  source.addEventListener('open', () => setLive('live', 'live'));
  source.addEventListener('error', () => setLive('down', 'reconnecting…'));
  source.addEventListener('history', (e) => {
    state.points = JSON.parse(e.data);
  });
  source.addEventListener('snapshot', (e) => {
    const s = JSON.parse(e.data);
    state.snapshot = s;
    addPoint(s);
    $('#banner').hidden = true;
    setLive('live', 'live');
    render();
  });
  source.addEventListener('failure', (e) => {
    const { error } = JSON.parse(e.data);
    $('#banner').textContent = `The broker cannot read its store: ${error}. Figures resume when it answers.`;
    $('#banner').hidden = false;
  });
}

async function start() {
  try {
    const config = await getJson('config');
    state.readOnly = config.readOnly;
    $('#store').textContent = `store: ${config.store}`;
    if (config.readOnly) {
      document.body.classList.add('read-only');
      $('#read-only').hidden = false;
      // Gone, not just hidden: nothing on a read-only page can change a queue.
      for (const node of document.querySelectorAll('[data-action]')) node.remove();
    } else wireActions();
  } catch (err) {
    toast(`Could not load the dashboard settings: ${err.message}`, true);
  }
  for (const th of document.querySelectorAll('#queues th[data-sort]')) {
    th.addEventListener('click', () => {
      const key = th.dataset.sort;
      state.sort = { key, asc: state.sort.key === key ? !state.sort.asc : key === 'queue' };
      render();
    });
  }
  $('#filter').addEventListener('input', render);
  wireMessages();
  $('#range').addEventListener('change', (e) => {
    state.range = Number(e.currentTarget.value);
    render();
  });
  window.addEventListener('hashchange', route);
  route();
  connect();
}

void start();
