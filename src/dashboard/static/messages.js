// The queue page's message list: one state at a time (ready, in flight, delayed, or the
// dead-letter queue's messages), paged, searchable by key and value, JSON pretty-printed.
/* global document */
import { $, age, bytes, el, enc, getJson, state, toast } from './lib.js';

const PAGE = 25;

export const list = { offset: 0, total: 0, key: '', value: '' };

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

export async function loadMessages() {
  const q = state.queue;
  const src = source();
  const params = new URLSearchParams({ state: src.state, offset: String(list.offset), limit: String(PAGE) });
  if (list.key) params.set('key', list.key);
  if (list.value) params.set('value', list.value);
  try {
    const page = await getJson(`queues/${enc(src.queue)}/messages?${params}`);
    if (q !== state.queue) return;
    list.total = page.total;
    $('#peek-at').textContent = src.state === 'inflight' ? 'Lease' : src.state === 'delayed' ? 'Due' : src.dead ? 'Origin' : 'When';
    $('#peek tbody').replaceChildren(
      ...page.messages.map((m) =>
        el(
          'tr',
          { 'data-key': m.key },
          el('td', { class: 'mono', text: m.key }),
          el('td', { class: 'value' }, el('div', { text: pretty(m.value, m.truncated) + (m.truncated ? ' …' : '') })),
          el('td', { class: 'n', text: String(m.attempts) }),
          el('td', { class: 'when', text: when(m, src), title: m.at ? new Date(m.at).toISOString() : '' }),
          el('td', { class: 'n', text: bytes(m.bytes) }),
        ),
      ),
    );
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
