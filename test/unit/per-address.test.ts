/** PerAddress: a ceiling per client address, slots given back once each, 0 = no limit. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PerAddress } from '../../src/http/per-address.js';
import { clientErrorReply } from '../../src/http/client-errors.js';

describe('PerAddress', () => {
  it('refuses past the ceiling, per address', () => {
    const c = new PerAddress(2);
    const a1 = c.acquire('10.0.0.1');
    const a2 = c.acquire('10.0.0.1');
    assert.ok(a1 && a2, 'two slots for 10.0.0.1');
    assert.equal(c.acquire('10.0.0.1'), undefined, 'a third is refused');
    assert.ok(c.acquire('10.0.0.2'), 'another address has its own slots');
  });

  it('a slot given back twice counts once, and an empty address is forgotten', () => {
    const c = new PerAddress(1);
    const a = c.acquire('::1');
    assert.ok(a, 'first slot');
    a();
    a();
    assert.equal(c.held('::1'), 0);
    const b = c.acquire('::1');
    assert.ok(b, 'the slot is free again');
    a();
    assert.equal(c.held('::1'), 1, "an old release does not free the new holder's slot");
  });

  it('0 means no limit', () => {
    const c = new PerAddress(0);
    for (let i = 0; i < 10_000; i++) assert.ok(c.acquire('127.0.0.1'), `slot ${i}`);
  });
});

describe('clientErrorReply', () => {
  it('maps parser and timeout failures to the catalogue', () => {
    assert.equal(clientErrorReply('ERR_HTTP_REQUEST_TIMEOUT').status, 408);
    assert.equal(JSON.parse(clientErrorReply('HPE_HEADER_OVERFLOW').body).code, 'HEADERS_TOO_LARGE');
    const bad = clientErrorReply('HPE_INVALID_METHOD');
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).code, 'INVALID_ENCODING');
  });
});
