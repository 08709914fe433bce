// Actions: they call the broker's own routes, so the ACL applies as to any client.
/* global confirm, location */
import { $, act, call, enc, state, toast } from './lib.js';
import { loadDetail } from './queue-page.js';
import { wireBulkActions } from './messages.js';

export function setStatus(queue, status, button) {
  return act(button, async () => {
    await call('POST', `control/${enc(queue)}`, { status });
    return `${queue}: ${status === 'stop' ? 'stopped' : 'started'}`;
  });
}

/** DELETE /queues/<q> after a confirmation; `gone` runs once the broker has deleted it. */
export function deleteQueue(queue, button, gone) {
  if (!confirm(`Delete the queue ${queue}: its messages, settings and counters? Its consumers are disconnected. This cannot be undone.`)) return;
  void act(button, async () => {
    await call('DELETE', `queues/${enc(queue)}`);
    // Gone from the list at once, not at the next sample.
    if (state.snapshot) state.snapshot.queues = state.snapshot.queues.filter((r) => r.queue !== queue);
    gone();
    return `${queue}: deleted`;
  });
}

export function wireActions() {
  $('#send-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('#send-value').value;
    if (!value) return;
    const delay = $('#send-delay').value.trim();
    const button = $('#send-form button');
    void act(button, async () => {
      const key = (await call('POST', `q/${enc(state.queue)}`, delay ? { value, delay } : { value })).trim();
      $('#send-value').value = '';
      return delay ? `Sent ${key}, visible in ${delay} s` : `Sent ${key}`;
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
  $('#btn-delete').addEventListener('click', (e) => deleteQueue(state.queue, e.currentTarget, () => (location.hash = '#/')));
  $('#btn-redrive').addEventListener('click', (e) => {
    const dlq = state.detail?.deadLetter ?? `${state.queue}.dead`;
    void act(e.currentTarget, async () => {
      const { redriven } = JSON.parse(await call('POST', `q/${enc(dlq)}/redrive`));
      return `Moved ${redriven} message${redriven === 1 ? '' : 's'} from ${dlq} back`;
    });
  });
  wireBulkActions();
  $('#settings-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void saveSettings(e.currentTarget.querySelector('button'));
  });
}

/** POST /p/<q> with the settings that changed. The route cannot unset one: an emptied field
 *  is left as it was. */
function saveSettings(button) {
  const d = state.detail ?? {};
  const fields = {};
  const changed = (id, name, current) => {
    const v = $(id).value.trim();
    if (v !== '' && v !== String(current ?? '')) fields[name] = v;
  };
  changed('#edit-lease', 'lease', d.leaseSeconds);
  changed('#edit-attempts', 'max_attempts', d.maxAttempts);
  changed('#edit-dlq', 'dead_letter', d.deadLetter);
  const queue = state.queue;
  if (Object.keys(fields).length === 0) {
    toast('Nothing changed');
    return Promise.resolve();
  }
  return act(
    button,
    async () => {
      const reply = (await call('POST', `p/${enc(queue)}`, fields)).trim();
      if (reply !== 'OK') throw new Error(`the broker answered ${reply}`);
      // The queue table nests dead-letter queues by this setting: it reads them again.
      if ('dead_letter' in fields) state.deadLettersStale = true;
      return `${queue}: settings saved`;
    },
    () => loadDetail(),
  );
}
