// Streaming consumers: the Consumers tab and the queue page's list.
import { $, el, enc, since } from './lib.js';

export function consumerRows(list, withQueue) {
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

export function renderConsumers(snapshot) {
  $('#consumers tbody').replaceChildren(...consumerRows(snapshot.consumers, true));
  $('#consumers').hidden = snapshot.consumers.length === 0;
  $('#consumers-empty').hidden = snapshot.consumers.length > 0;
}
