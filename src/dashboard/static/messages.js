// The queue page's message list: one state at a time (ready, in flight, delayed, or the
// dead-letter queue's messages), paged, searchable by key and value, JSON pretty-printed.
/* global confirm, document, prompt */
import { $, act, age, bytes, call, el, enc, getJson, state, toast } from './lib.js';

const PAGE = 25;

export const list = { offset: 0, total: 0, key: '', value: '', loadedAt: 0 };

/** The queue and store state the list shows. */
export function source() {
  const pick = $('#peek-source').value;
  if (pick === 'dead') return { queue: state.detail?.deadLetter ?? `${state.queue}.dead`, state: 'ready', dead: true };
  return { queue: state.queue, state: pick === 'queue' ? 'ready' : pick, dead: false };
}

/** A JSON object or array is shown indented; anything else as it came. */
function pretty(value, truncated) {
  if (truncated || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}

function when(m, src) {
  if (m.at === null) return src.dead && m.origin ? `from ${m.origin}` : '–';
  const s = (m.at - Date.now()) / 1000;
  const label = src.state === 'inflight' ? 'lease ends' : 'due';
  return s >= 0 ? `${label} in ${age(s)}` : `${label} ${age(-s)} ago`;
}

/** Messages an action may change, on a page with actions: ready ones (of the queue or of its
 *  dead-letter queue) by key, in-flight ones by their lease's receipt. Delayed ones have no
 *  route that acts on them. */
const actionable = (src) => !state.readOnly && (src.state === 'ready' || src.state === 'inflight');

/** The last listed messages, by key: what a move re-sends. */
const shownValues = new Map();

/** JSON protocol `del` (POST /queue): deletes one message by key; its ACL is a consumer's. */
async function deleteKey(queue, key) {
  const r = JSON.parse(await call('POST', 'queue', { body: JSON.stringify({ cmd: 'del', queue, key }) }));
  if (r.error) throw new Error(r.error);
  return r.deleted;
}

/** A move is a send to the target (POST /q/<target>) and then a delete here: never lost; if
 *  the delete fails the message is in both queues. Attempts, TTL and delay start afresh. */
async function moveKey(queue, m, target) {
  if (m.truncated) throw new Error(`${m.key} is too large to move from the dashboard`);
  await call('POST', `q/${enc(target)}`, { value: m.value });
  await deleteKey(queue, m.key);
}

/** An in-flight message moves by its lease's receipt (POST /q/<q>/<receipt>/move): one step in
 *  the store, whole whatever its size; its lease ends, so its holder's receipt goes stale. */
async function moveLeased(queue, m, target) {
  await call('POST', `q/${enc(queue)}/${enc(m.receipt)}/move`, { to: target });
}

const moveMessage = (src, m, target) => (src.state === 'inflight' ? moveLeased(src.queue, m, target) : moveKey(src.queue, m, target));

/** Deletes one listed message: by key, or an in-flight one by acknowledging its lease
 *  (DELETE /q/<q>/<receipt>). */
async function deleteMessage(src, m) {
  if (src.state !== 'inflight') return deleteKey(src.queue, m.key);
  await call('DELETE', `q/${enc(src.queue)}/${enc(m.receipt)}`);
  return true;
}

function rowActions(m, src) {
  const remove = el('button', { type: 'button', class: 'small danger', text: 'Delete', title: `Delete ${m.key}` });
  remove.addEventListener('click', () => {
    if (!confirm(`Delete the message ${m.key}? This cannot be undone.`)) return;
    void act(remove, async () => {
      if (!(await deleteMessage(src, m))) throw new Error(`${m.key} is no longer there`);
      return `${m.key}: deleted`;
    }, loadMessages);
  });
  const cell = el('td', { class: 'row-actions', 'data-action': '' }, remove);
  if (src.state === 'inflight' && m.receipt) {
    // A nack of its lease (POST /q/<q>/<receipt>/nack): back to the front of the queue now;
    // its holder's receipt goes stale.
    const requeue = el('button', { type: 'button', class: 'small', text: 'Requeue', title: 'End its lease: back to the queue now' });
    requeue.addEventListener('click', () => void act(requeue, async () => {
      await call('POST', `q/${enc(src.queue)}/${enc(m.receipt)}/nack`);
      return `${m.key}: back in ${src.queue}`;
    }, loadMessages));
    const move = el('button', { type: 'button', class: 'small', text: 'Move', title: 'End its lease: move it to another queue' });
    move.addEventListener('click', () => {
      const target = prompt(`Move ${m.key} to which queue? Its lease ends; its holder can no longer acknowledge it.`, $('#move-target').value.trim());
      if (!target?.trim()) return;
      void act(move, async () => {
        await moveLeased(src.queue, m, target.trim());
        return `${m.key}: moved to ${target.trim()}`;
      }, loadMessages);
    });
    cell.prepend(requeue, ' ', move, ' ');
  }
  if (src.dead && m.origin) {
    const requeue = el('button', { type: 'button', class: 'small', text: 'Requeue', title: `Send it back to ${m.origin}` });
    requeue.addEventListener('click', () => void act(requeue, async () => {
      await moveKey(src.queue, m, m.origin);
      return `${m.key}: back in ${m.origin}`;
    }, loadMessages));
    cell.prepend(requeue, ' ');
  }
  return cell;
}

/** Ticked keys, kept while the list refreshes (it does whenever the counts move). */
const picked = new Set();

function checkbox(key) {
  const box = el('input', { type: 'checkbox', value: key, title: 'select', checked: picked.has(key) });
  box.addEventListener('change', () => (box.checked ? picked.add(key) : picked.delete(key)));
  return box;
}

const selected = () => [...picked].map((key) => shownValues.get(key)).filter(Boolean);

/** Bulk actions on the checked rows, and on the whole dead-letter queue. */
export function wireBulkActions() {
  $('#bulk-delete').addEventListener('click', (e) => {
    const chosen = selected();
    if (chosen.length === 0) return void toast('Select messages first', true);
    if (!confirm(`Delete ${chosen.length} selected message${chosen.length === 1 ? '' : 's'}? This cannot be undone.`)) return;
    const src = source();
    void act(e.currentTarget, async () => {
      let n = 0;
      for (const m of chosen) if (await deleteMessage(src, m)) n++;
      return `Deleted ${n} message${n === 1 ? '' : 's'}`;
    }, loadMessages);
  });
  $('#bulk-move').addEventListener('submit', (e) => {
    e.preventDefault();
    const chosen = selected();
    const target = $('#move-target').value.trim();
    if (chosen.length === 0) return void toast('Select messages first', true);
    const src = source();
    void act(e.currentTarget.querySelector('button'), async () => {
      for (const m of chosen) await moveMessage(src, m, target);
      return `Moved ${chosen.length} message${chosen.length === 1 ? '' : 's'} to ${target}`;
    }, loadMessages);
  });
  $('#btn-purge-dead').addEventListener('click', (e) => {
    const dlq = state.detail?.deadLetter ?? `${state.queue}.dead`;
    if (!confirm(`Delete every message of the dead-letter queue ${dlq}? This cannot be undone.`)) return;
    void act(e.currentTarget, async () => {
      await call('DELETE', `q/${enc(dlq)}`);
      return `${dlq}: purged`;
    }, loadMessages);
  });
}

/** Loads may overlap (a click, then a sample): only the latest one's answer is shown. */
let loads = 0;

export async function loadMessages() {
  const q = state.queue;
  const mine = ++loads;
  const src = source();
  const params = new URLSearchParams({ state: src.state, offset: String(list.offset), limit: String(PAGE) });
  if (list.key) params.set('key', list.key);
  if (list.value) params.set('value', list.value);
  try {
    list.loadedAt = Date.now();
    const page = await getJson(`queues/${enc(src.queue)}/messages?${params}`);
    if (q !== state.queue || mine !== loads) return;
    list.total = page.total;
    $('#peek-at').textContent = src.state === 'inflight' ? 'Lease' : src.state === 'delayed' ? 'Due' : src.dead ? 'Origin' : 'When';
    $('#peek tbody').replaceChildren(
      ...page.messages.map((m) =>
        el(
          'tr',
          { 'data-key': m.key },
          ...(actionable(src) ? [el('td', { class: 'pick', 'data-action': '' }, checkbox(m.key))] : []),
          el('td', { class: 'mono', text: m.key }),
          el('td', { class: 'value' }, el('div', { text: pretty(m.value, m.truncated) + (m.truncated ? ' …' : '') })),
          el('td', { class: 'n attempts', text: String(m.attempts) }),
          el('td', { class: 'when', text: when(m, src), title: m.at ? new Date(m.at).toISOString() : '' }),
          el('td', { class: 'n', text: bytes(m.bytes) }),
          ...(actionable(src) ? [rowActions(m, src)] : []),
        ),
      ),
    );
    shownValues.clear();
    page.messages.forEach((m) => shownValues.set(m.key, m));
    for (const key of picked) if (!shownValues.has(key)) picked.delete(key);
    $('#peek').classList.toggle('with-actions', actionable(src));
    $('#bulk-bar')?.toggleAttribute('hidden', !actionable(src));
    $('#bulk-move')?.toggleAttribute('hidden', src.state !== 'ready' && src.state !== 'inflight');
    $('#peek-empty').hidden = page.messages.length > 0;
    const last = list.offset + page.messages.length;
    const of = page.complete ? `${page.total}` : `${page.total}+ (searched the first 10,000)`;
    $('#page-info').textContent = page.messages.length ? `${list.offset + 1}–${last} of ${of}` : `0 of ${of}`;
    $('#page-prev').disabled = list.offset === 0;
    $('#page-next').disabled = last >= page.total;
    document.body.dataset.listed = `${src.state}:${page.total}`;
  } catch (err) {
    toast(`Listing messages failed: ${err.message}`, true);
  }
}

/** The controls work on read-only pages too: listing changes nothing. */
export function wireMessages() {
  $('#peek-source').addEventListener('change', () => {
    list.offset = 0;
    void loadMessages();
  });
  $('#msg-search').addEventListener('submit', (e) => {
    e.preventDefault();
    list.key = $('#search-key').value;
    list.value = $('#search-value').value;
    list.offset = 0;
    void loadMessages();
  });
  $('#page-prev').addEventListener('click', () => {
    list.offset = Math.max(0, list.offset - PAGE);
    void loadMessages();
  });
  $('#page-next').addEventListener('click', () => {
    list.offset += PAGE;
    void loadMessages();
  });
}
