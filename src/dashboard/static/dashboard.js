// The RestMQ dashboard: plain browser JavaScript, no build step. Live figures arrive over
// Server-Sent Events (/dashboard/api/events, one sample a second); actions call the broker's
// own routes, so the ACL applies to them as to any client.
/* global document, window, location, EventSource, ResizeObserver, confirm, uPlot */

const ROOT = location.pathname.replace(/dashboard\/?.*$/, '');
const API = ROOT + 'dashboard/api/';
const HISTORY = 300;
const RATES = ['enqueued', 'delivered', 'acked'];

const state = {
  readOnly: false,
  points: [], // {t, all: [ready, inflight, delayed, dead, enq/s, del/s, ack/s], q: {name: [...]}}
  snapshot: null,
  view: 'overview',
  queue: null, // the queue page's queue
  detail: null, // its settings, from /dashboard/api/queues/<q>
  peekSeen: '', // counts the peek last reflected
  sort: { key: 'queue', asc: true },
  charts: {},
};

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) node.append(c);
  return node;
};
const fmt = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 }));
const enc = encodeURIComponent;

function age(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function since(ms) {
  return age((Date.now() - ms) / 1000);
}

function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// ---- toast and HTTP ----

let toastTimer;
function toast(text, isError = false) {
  const t = $('#toast');
  t.textContent = text;
  t.className = 'toast' + (isError ? ' error' : '');
  t.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (t.hidden = true), isError ? 6000 : 3000);
}

async function getJson(path) {
  const r = await window.fetch(API + path, { headers: { accept: 'application/json' } });
  if (!r.ok) throw new Error(await errorText(r));
  return r.json();
}

async function errorText(r) {
  const text = await r.text();
  try {
    const e = JSON.parse(text);
    return `${r.status} ${e.code}: ${e.error}`;
  } catch {
    return `${r.status} ${text.slice(0, 200)}`;
  }
}

/** Calls a broker route with form fields; returns the reply text or throws its error. */
async function call(method, path, fields) {
  const init = { method };
  if (fields) init.body = new URLSearchParams(fields);
  const r = await window.fetch(ROOT + path, init);
  if (!r.ok) throw new Error(await errorText(r));
  return r.text();
}

async function act(button, work, done) {
  if (button) button.disabled = true;
  try {
    toast(await work());
    if (done) await done();
  } catch (err) {
    toast(`Failed: ${err.message}`, true);
  } finally {
    if (button) button.disabled = false;
  }
}

// ---- charts ----

const clock = (v) => new Date(v * 1000).toLocaleTimeString('en-GB', { hour12: false });

function chartOpts(el, series) {
  return {
    width: Math.max(300, el.clientWidth),
    height: 200,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // At least the last minute, so a fresh page does not zoom into a few milliseconds.
      x: { time: true, range: (_u, min, max) => { const hi = max ?? Date.now() / 1000; return [Math.min(min ?? hi, hi - 60), hi]; } },
      y: { range: (_u, _min, max) => [0, Math.max(1, (max ?? 0) * 1.15)] },
    },
    axes: [
      { stroke: '#687385', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#eef1f5' }, space: 90, values: (_u, splits) => splits.map(clock) },
      { stroke: '#687385', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#eef1f5' }, size: 56 },
    ],
    // Only the first series is filled: stacked translucent fills read as a different colour.
    series: [{}, ...series.map(([label, color], i) => ({ label, stroke: color, width: 1.75, ...(i === 0 ? { fill: color + '18' } : {}), points: { show: false } }))],
  };
}

const RATE_SERIES = [['enqueued/s', '#2563eb'], ['delivered/s', '#16a34a'], ['acked/s', '#7c3aed']];
const DEPTH_SERIES = [['ready', '#0ea5e9'], ['in flight', '#d97706'], ['delayed', '#64748b'], ['dead', '#dc2626']];

function ensureChart(id, series) {
  if (state.charts[id]) return state.charts[id];
  const host = document.getElementById(id);
  const chart = new uPlot(chartOpts(host, series), [[], ...series.map(() => [])], host);
  new ResizeObserver(() => chart.setSize({ width: Math.max(300, host.clientWidth), height: 200 })).observe(host);
  return (state.charts[id] = chart);
}

/** Columns of the point arrays: all queues (queue null) or one queue (a gap where the
 *  broker's history kept totals only). */
function seriesOf(queue, indexes) {
  const xs = [];
  const ys = indexes.map(() => []);
  for (const p of state.points) {
    xs.push(p.t / 1000);
    const row = queue === null ? p.all : p.q[queue];
    indexes.forEach((ix, n) => ys[n].push(row ? row[ix] : queue in p.q || Object.keys(p.q).length ? 0 : null));
  }
  return [xs, ...ys];
}

function drawCharts() {
  if (state.view === 'overview') {
    ensureChart('chart-rates', RATE_SERIES).setData(seriesOf(null, [4, 5, 6]));
    ensureChart('chart-depth', DEPTH_SERIES).setData(seriesOf(null, [0, 1, 2, 3]));
  } else if (state.view === 'queue') {
    ensureChart('chart-q-rates', RATE_SERIES).setData(seriesOf(state.queue, [4, 5, 6]));
    ensureChart('chart-q-depth', DEPTH_SERIES).setData(seriesOf(state.queue, [0, 1, 2, 3]));
  }
}

// ---- the queue table ----

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

function renderTable(snapshot) {
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

function renderTotals(snapshot) {
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

// ---- consumers ----

function consumerRows(list, withQueue) {
  return list.map((c) =>
    el(
      'tr',
      {},
      ...(withQueue ? [el('td', { class: 'name' }, el('a', { href: `#/queue/${enc(c.queue)}`, text: c.queue }))] : []),
      el('td', { text: c.transport }),
      el('td', { text: c.leased ? 'leased (at least once)' : 'fan-out' }),
      el('td', { class: 'mono', text: c.remote || '–' }),
      el('td', { text: `${since(c.since)} ago`, title: new Date(c.since).toISOString() }),
      el('td', { class: 'mono', text: c.id.slice(0, 8) }),
    ),
  );
}

function renderConsumers(snapshot) {
  $('#consumers tbody').replaceChildren(...consumerRows(snapshot.consumers, true));
  $('#consumers').hidden = snapshot.consumers.length === 0;
  $('#consumers-empty').hidden = snapshot.consumers.length > 0;
}

// ---- the queue page ----

const emptyRow = (queue) => ({ queue, ready: 0, inflight: 0, delayed: 0, dead: 0, consumers: 0, transports: { comet: 0, sse: 0, ws: 0, poll: 0 }, status: 'started', policy: 'broadcast', oldestAgeSeconds: null, rates: { enqueued: 0, delivered: 0, acked: 0 } });

function renderQueue(snapshot) {
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
  // The peek follows the counts: fetch again only when they moved.
  const seen = `${row.ready}/${row.dead}/${row.inflight}/${dlqRow?.ready ?? 0}`;
  if (seen !== state.peekSeen) {
    state.peekSeen = seen;
    void loadPeek();
  }
}

async function loadDetail() {
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
  } catch (err) {
    toast(`Could not load ${q}: ${err.message}`, true);
  }
}

async function loadPeek() {
  const q = state.queue;
  const source = $('#peek-source').value === 'dead' ? (state.detail?.deadLetter ?? `${q}.dead`) : q;
  try {
    const { messages } = await getJson(`queues/${enc(source)}/peek?count=20`);
    if (q !== state.queue) return;
    $('#peek tbody').replaceChildren(
      ...messages.map((m) =>
        el('tr', { 'data-key': m.key }, el('td', { class: 'mono', text: m.key }), el('td', { class: 'value' }, el('div', { text: m.value + (m.truncated ? ' …' : '') })), el('td', { class: 'n', text: bytes(m.bytes) })),
      ),
    );
    $('#peek-empty').hidden = messages.length > 0;
  } catch (err) {
    toast(`Peek failed: ${err.message}`, true);
  }
}

// ---- actions (the broker's own routes) ----

function setStatus(queue, status, button) {
  return act(button, async () => {
    await call('POST', `control/${enc(queue)}`, { status });
    return `${queue}: ${status === 'stop' ? 'stopped' : 'started'}`;
  });
}

function wireActions() {
  $('#send-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('#send-value').value;
    if (!value) return;
    const button = $('#send-form button');
    void act(button, async () => {
      const key = (await call('POST', `q/${enc(state.queue)}`, { value })).trim();
      $('#send-value').value = '';
      return `Sent ${key}`;
    });
  });
  $('#btn-toggle').addEventListener('click', (e) => void setStatus(state.queue, e.currentTarget.dataset.next ?? 'stop', e.currentTarget));
  $('#policy-select').addEventListener('change', (e) => {
    const policy = e.currentTarget.value;
    void act(null, async () => {
      const reply = (await call('POST', `p/${enc(state.queue)}`, { policy })).trim();
      if (reply !== 'OK') throw new Error(`the broker answered ${reply}`);
      return `${state.queue}: policy ${policy}`;
    });
  });
  $('#btn-purge').addEventListener('click', (e) => {
    if (!confirm(`Delete every pending message of ${state.queue}? This cannot be undone.`)) return;
    void act(e.currentTarget, async () => {
      await call('DELETE', `q/${enc(state.queue)}`);
      return `${state.queue}: purged`;
    });
  });
  $('#btn-redrive').addEventListener('click', (e) => {
    const dlq = state.detail?.deadLetter ?? `${state.queue}.dead`;
    void act(e.currentTarget, async () => {
      const { redriven } = JSON.parse(await call('POST', `q/${enc(dlq)}/redrive`));
      return `Moved ${redriven} message${redriven === 1 ? '' : 's'} from ${dlq} back`;
    });
  });
  $('#peek-source').addEventListener('change', () => void loadPeek());
}

// ---- views and the live feed ----

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
  else renderConsumers(s);
  drawCharts();
}

function addPoint(s) {
  const q = {};
  const all = [0, 0, 0, 0, 0, 0, 0];
  for (const r of s.queues) {
    const row = [r.ready, r.inflight, r.delayed, r.dead, r.rates.enqueued, r.rates.delivered, r.rates.acked];
    row.forEach((v, i) => (all[i] += v));
    q[r.queue] = row;
  }
  state.points.push({ t: s.time, all, q });
  if (state.points.length > HISTORY) state.points.shift();
  document.body.dataset.samples = String(state.points.length);
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
    state.points = JSON.parse(e.data).slice(-HISTORY);
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
  window.addEventListener('hashchange', route);
  route();
  connect();
}

void start();
