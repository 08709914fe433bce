/**
 * Regression (found by test/unit/form-properties.test.ts): a multipart field holding U+FFFD
 * (valid UTF-8: EF BF BD) was refused as INVALID_UTF8, since busboy's decoding turns bad
 * bytes into U+FFFD too and a U+FFFD was taken as proof of bad bytes. The same value sent
 * url-encoded was accepted. Fields are now read as bytes and decoded strictly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { useTestBroker } from '../harness/broker.js';
import { assertError } from '../e2e/backends.js';

describe('multipart/form-data and U+FFFD', () => {
  const broker = useTestBroker('memory');

  it('a field holding U+FFFD is stored as sent; invalid UTF-8 is still refused', async () => {
    const q = `q-${randomUUID()}`;
    const form = new FormData();
    form.append('value', 'a\ufffdb é 😀');
    const r = await fetch(`${broker().url}/q/${q}`, { method: 'POST', body: form });
    assert.equal(r.status, 200, await r.clone().text());
    const taken = (await (await fetch(`${broker().url}/q/${q}`)).json()) as { value: string };
    assert.equal(taken.value, 'a\ufffdb é 😀');

    const bad = Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name="value"\r\n\r\na'), Buffer.from([0xc3, 0x28]), Buffer.from('\r\n--b--\r\n')]);
    const refused = await fetch(`${broker().url}/q/${q}`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: bad });
    assertError({ status: refused.status, headers: refused.headers, text: await refused.text() }, 400, 'INVALID_UTF8');
  });
});
