// Shared by the dashboard's modules: state, DOM and number helpers, HTTP calls, the toast.
/* global document, window, location */

export const ROOT = location.pathname.replace(/dashboard\/?.*$/, '');
export const API = ROOT + 'dashboard/api/';
/** Chart history as the broker keeps it (history.ts): samples of the last 5 minutes, then
 *  15-second buckets (means; the oldest age a maximum) back to an hour. */
export const HISTORY = { fineMs: 5 * 60_000, bucketMs: 15_000, spanMs: 60 * 60_000 };
export const RATES = ['enqueued', 'delivered', 'acked'];

export const state = {
  readOnly: false,
  points: [], // {t, all: [ready, inflight, delayed, dead, enq/s, del/s, ack/s, oldest age s], q: {name: [...]}, n?}
  samples: 0, // live samples received
  range: 900, // seconds the charts show
  snapshot: null,
  view: 'overview',
  queue: null, // the queue page's queue
  detail: null, // its settings, from /dashboard/api/queues/<q>
  peekSeen: '', // counts the peek last reflected
  sort: { key: 'queue', asc: true },
  deadLettersStale: false, // a dead_letter setting changed: the queue table reads them again
  charts: {},
};

export const $ = (sel, root = document) => root.querySelector(sel);
export const el = (tag, props = {}, ...children) => {
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
export const fmt = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 }));
export const enc = encodeURIComponent;

export function age(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

export function since(ms) {
  return age((Date.now() - ms) / 1000);
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// ---- toast and HTTP ----

let toastTimer;
export function toast(text, isError = false) {
  const t = $('#toast');
  t.textContent = text;
  t.className = 'toast' + (isError ? ' error' : '');
  t.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (t.hidden = true), isError ? 6000 : 3000);
}

export async function getJson(path) {
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
export async function call(method, path, fields) {
  const init = { method };
  if (fields) init.body = new URLSearchParams(fields);
  const r = await window.fetch(ROOT + path, init);
  if (!r.ok) throw new Error(await errorText(r));
  return r.text();
}

export async function act(button, work, done) {
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
