/**
 * Regression (found by the HTTP fuzz): a WebSocket handshake answered with a plain HTTP reply
 * (a malformed %-escape in the path: 400 before routing; an unknown path: 404) left its socket
 * open on the server for ever, since Node stops tracking upgrade sockets. Each such request
 * leaked a descriptor, and the broker's graceful close then never finished.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestBroker } from '../harness/broker.js';
import { rawRequest } from '../harness/raw-http.js';

/** Sends a handshake for `path`; resolves with what came back once the server closes the socket
 *  (the client never ends its side: only the server can close it). */
async function handshake(port: number, path: string): Promise<string> {
  const r = await rawRequest({ port, timeoutMs: 5000 },
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  return r.text;
}

describe('a failed WebSocket handshake closes its socket', () => {
  const broker = useTestBroker('memory');

  it('a malformed %-escape in the path: 400, then the socket is closed', async () => {
    const reply = await handshake(broker().port, '/ws/%zz');
    assert.match(reply, /^HTTP\/1\.1 400 /);
    assert.match(reply, /"code":"INVALID_ENCODING"/);
  });

  it('an unknown path: 404, then the socket is closed', async () => {
    assert.match(await handshake(broker().port, '/no/such/route'), /^HTTP\/1\.1 404 /);
  });

  it('the broker still closes gracefully afterwards', async () => {
    await broker().close();
  });
});
