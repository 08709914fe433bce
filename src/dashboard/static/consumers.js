// Streaming consumers: the Consumers tab (every broker, from the store's registry) and the
// queue page's list (this broker's).
import { $, el, enc, fmt, getJson, since, state, toast } from './lib.js';

/** Another broker's counts come from its last report: the cells say how old it is. */
const counts = (c) => {
  const reported = c.reportedAt === undefined ? {} : { class: 'n reported', title: `as its broker reported ${since(c.reportedAt)} ago` };
  return [
    el('td', { class: 'n', text: c.delivered === undefined ? '–' : fmt(c.delivered), ...reported }),
    el('td', { class: 'n', text: c.leased ? fmt(c.unacked ?? 0) : '–', ...reported }),
  ];
};

export function consumerRows(list, withQueue) {
  return list.map((c) =>
    el(
      'tr',
      { 'data-consumer': c.id },
      ...(withQueue ? [el('td', { class: 'name' }, el('a', { href: `#/queue/${enc(c.queue)}`, text: c.queue }))] : []),
      el('td', { text: c.transport }),
      el('td', { text: c.leased ? 'leased (at least once)' : 'fan-out' }),
      el('td', { class: 'mono', text: c.remote || '–' }),
      el('td', { text: `${since(c.since)} ago`, title: new Date(c.since).toISOString() }),
      ...counts(c),
      el('td', { class: 'mono', text: c.id.slice(0, 8) }),
    ),
  );
}

/** A row of the registry: another broker's consumer shows what its broker last reported (its
 *  registration only, until the first report). */
function registryRow(c, me) {
  const remote = !c.local;
  return el(
    'tr',
    { 'data-consumer': c.id, 'data-broker': c.broker, class: remote ? 'remote' : '' },
    el('td', { class: 'name' }, el('a', { href: `#/queue/${enc(c.queue)}`, text: c.queue })),
    el('td', { class: 'mono', text: c.broker === me ? 'this broker' : c.broker.slice(0, 8), title: c.broker }),
    el('td', { text: c.transport ?? '–' }),
    el('td', { text: c.leased === undefined ? '–' : c.leased ? 'leased (at least once)' : 'fan-out' }),
    el('td', { class: 'mono', text: c.remote || '–' }),
    el('td', c.since ? { text: `${since(c.since)} ago`, title: new Date(c.since).toISOString() } : { text: '–' }),
    ...counts(c),
    el('td', { class: 'mono', text: c.id.slice(0, 8) }),
  );
}

let loading = false;
let lastLoad = 0;

/** The registry is read at most every 2 seconds while the tab is open. */
export async function renderConsumers() {
  if (loading || Date.now() - lastLoad < 2000) return;
  loading = true;
  try {
    const { broker, consumers } = await getJson('consumers/all');
    lastLoad = Date.now();
    if (state.view !== 'consumers') return;
    $('#consumers tbody').replaceChildren(...consumers.map((c) => registryRow(c, broker)));
    $('#consumers').hidden = consumers.length === 0;
    $('#consumers-empty').hidden = consumers.length > 0;
    const brokers = new Set(consumers.map((c) => c.broker)).size;
    $('#consumers-brokers').textContent = `${consumers.length} on ${brokers} broker${brokers === 1 ? '' : 's'}`;
  } catch (err) {
    toast(`Could not list the consumers: ${err.message}`, true);
  } finally {
    loading = false;
  }
}
