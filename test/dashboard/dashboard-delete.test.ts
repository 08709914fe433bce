/**
 * Deleting a queue from the dashboard in a real browser (headless Chromium via playwright-core):
 * the Delete button of a queue's row asks first (a dismissed dialog changes nothing), then
 * deletes it through DELETE /queues/<q> and the row vanishes, for good (later samples do not
 * bring it back); the queue page's button does the same and returns to the list.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Dialog, Page } from 'playwright-core';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { post, qname, req } from '../e2e/backends.js';
import { waitUntil } from '../harness/wait.js';
import { launchChromium, shot, skipReason } from './browser.js';

const skip = skipReason();

describe('dashboard: deleting a queue', { skip }, () => {
  let broker: TestBroker | undefined;
  let browser: Browser | undefined;
  const url = () => {
    assert.ok(broker, 'broker not started');
    return broker.url;
  };
  before(async () => {
    broker = await startTestBroker('memory');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await broker?.close();
  });

  /** Opens the dashboard; `answer` decides each confirmation dialog, whose messages are kept. */
  async function open(hash: string, answer: () => boolean, dialogs: string[], errors: string[]): Promise<Page> {
    assert.ok(browser, 'browser not started');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('dialog', (d: Dialog) => {
      dialogs.push(d.message());
      void (answer() ? d.accept() : d.dismiss());
    });
    await page.goto(`${url()}/dashboard/${hash}`);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });
    return page;
  }

  const statsQueues = async () => Object.keys((JSON.parse((await req(url(), 'GET', '/stats/')).text) as { queues: object }).queues);
  const samples = async (page: Page) => Number((await page.locator('body').getAttribute('data-samples')) ?? 0);

  it('a row\'s Delete button asks, deletes the queue, and the row vanishes', async () => {
    const q = qname();
    const other = qname();
    await post(url(), q, 'a');
    await post(url(), other, 'b');
    let accept = false;
    const dialogs: string[] = [];
    const errors: string[] = [];
    const page = await open('', () => accept, dialogs, errors);
    const row = page.locator(`#queues tr[data-queue="${q}"]`);
    await row.waitFor({ timeout: 10_000 });
    const button = row.locator('button', { hasText: 'Delete' });

    await button.click();
    assert.equal(dialogs.length, 1, 'a confirmation dialog');
    assert.match(dialogs[0]!, new RegExp(`Delete the queue ${q}`));
    assert.ok((await statsQueues()).includes(q), 'dismissed: nothing deleted');

    accept = true;
    await button.click();
    await page.locator('#toast', { hasText: `${q}: deleted` }).waitFor({ timeout: 10_000 });
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    assert.ok(!(await statsQueues()).includes(q), 'the broker deleted it');
    // Two more samples of the live feed: the row stays gone.
    const seen = await samples(page);
    await waitUntil('two more samples', async () => (await samples(page)) >= seen + 2, 10_000);
    assert.equal(await row.count(), 0, 'not back with later samples');
    assert.equal(await page.locator(`#queues tr[data-queue="${other}"]`).count(), 1, 'the other queue stays');
    await page.screenshot({ path: shot('queue-deleted'), fullPage: true });
    assert.deepEqual(errors, [], 'no script or console errors');
    await page.close();
  });

  it('the queue page\'s Delete queue button deletes it and returns to the list', async () => {
    const q = qname();
    await post(url(), q, 'a');
    const dialogs: string[] = [];
    const errors: string[] = [];
    const page = await open(`#/queue/${q}`, () => true, dialogs, errors);
    await page.locator('#peek tbody tr').first().waitFor({ timeout: 10_000 });
    await page.click('#btn-delete');
    await waitUntil('back on the list', () => !page.url().includes('#/queue/'), 10_000);
    await page.locator('#queues').waitFor({ timeout: 10_000 });
    assert.equal(dialogs.length, 1, 'asked first');
    assert.ok(!(await statsQueues()).includes(q), 'deleted');
    assert.equal(await page.locator(`#queues tr[data-queue="${q}"]`).count(), 0, 'not listed');
    assert.deepEqual(errors, [], 'no script or console errors');
    await page.close();
  });
});
