/**
 * Regression (found by the HTTP fuzz): a client that half-closes its connection right after a
 * `GET /q/<q>` (as `nc -N` or `curl` piping does) gets no reply: Node drops the response of a
 * request whose client already ended. On Redis the take was in flight by then, so the message
 * was deleted and never delivered. A taken message whose reply is not written goes back to the
 * front of the queue: each message is either in a reply or still in the queue.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useTestBroker, type BackendName } from '../harness/broker.js';
import { rawExchange } from '../harness/raw-http.js';
import { post, qname, take } from '../e2e/backends.js';

/** Sends one request, half-closes at once, and resolves with every byte the broker sent back. */
async function halfClosed(port: number, request: string): Promise<string> {
  return (await rawExchange({ port }, (socket) => socket.end(request))).text;
}

for (const backend of ['redis', 'sqlite'] as BackendName[]) {
  describe(`half-closed GET on ${backend}`, () => {
    const broker = useTestBroker(backend);

    const requests = {
      'GET /q/<q>': (q: string) => `GET /q/${q} HTTP/1.1\r\nHost: x\r\n\r\n`,
      'POST /queue take': (q: string) => {
        const body = JSON.stringify({ cmd: 'take', queue: q });
        return `POST /queue HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      },
    };
    for (const [name, request] of Object.entries(requests)) it(`${name}: every message is either in a reply or still in the queue`, async () => {
      const q = qname();
      const values = Array.from({ length: 20 }, (_, i) => `m-${i}`);
      for (const v of values) await post(broker().url, q, v);
      const delivered: string[] = [];
      for (let i = 0; i < values.length; i++) {
        const text = await halfClosed(broker().port, request(q));
        const m = /"value": ?"(m-\d+)"/.exec(text);
        if (m) delivered.push(m[1]!);
      }
      // What no reply carried must still be there: drain it with ordinary GETs.
      const left: string[] = [];
      for (let m = await take(broker().url, q); m; m = await take(broker().url, q)) left.push(m.value);
      assert.deepEqual([...delivered, ...left].sort(), [...values].sort(), `delivered ${delivered.length}, left ${left.length}`);
    });
  });
}
