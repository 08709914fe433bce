/**
 * COMET as the original's clients read it, off the wire: one HTTP chunk per message (they parse
 * each chunk as one JSON object), whether messages were waiting when the consumer connected or
 * arrive in a burst; and no heartbeat chunk unless --comet-heartbeat asks for one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { forEachBackend, post, qname, req } from './backends.js';
import { Waiters } from '../harness/wait.js';
import { SseClient } from '../harness/stream-clients.js';

/** A COMET consumer over a raw socket that records the HTTP chunks of the body, as sent. */
class RawComet {
  readonly chunks: string[] = [];
  private buffer = '';
  private inBody = false;
  private readonly waiters = new Waiters();
  private constructor(private readonly socket: Socket) {}

  static open(base: string, path: string): Promise<RawComet> {
    const url = new URL(base);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
        resolve(c);
      });
      const c = new RawComet(socket);
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => c.onData(d));
      socket.on('error', reject);
    });
  }

  private onData(d: string): void {
    this.buffer += d;
    if (!this.inBody) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      assert.match(this.buffer.slice(0, end), /^HTTP\/1\.1 200[^]*transfer-encoding: chunked/i);
      this.buffer = this.buffer.slice(end + 4);
      this.inBody = true;
    }
    for (;;) {
      const eol = this.buffer.indexOf('\r\n');
      if (eol < 0) break;
      const size = parseInt(this.buffer.slice(0, eol), 16);
      if (this.buffer.length < eol + 2 + size + 2) break;
      this.chunks.push(this.buffer.slice(eol + 2, eol + 2 + size));
      this.buffer = this.buffer.slice(eol + 2 + size + 2);
    }
    this.waiters.notify();
  }

  waitForChunks(n: number, timeoutMs = 5000): Promise<void> {
    return this.waiters.wait(() => this.chunks.length >= n, timeoutMs, () => `${n} chunks (got ${this.chunks.length})`);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Every chunk is exactly one CRLF-terminated JSON envelope. */
function assertOnePerChunk(chunks: readonly string[], values: readonly string[]): void {
  assert.deepEqual(
    chunks.map((c) => {
      assert.ok(c.endsWith('\r\n') && c.indexOf('\r\n') === c.length - 2, `one line per chunk: ${JSON.stringify(c)}`);
      return (JSON.parse(c) as { value: string }).value;
    }),
    values,
  );
}

async function registered(base: string, queue: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((JSON.parse((await req(base, 'GET', `/stats/${queue}`)).text) as { consumers: number }).consumers < 1) {
    assert.ok(Date.now() < deadline, 'consumer registered');
    await new Promise((r) => setTimeout(r, 20));
  }
}

forEachBackend(
  (ctx) => {
    describe('one chunk per message', () => {
      it('messages waiting when the consumer connects', async () => {
        const q = qname();
        for (const v of ['a', 'b', 'c']) await post(ctx().url, q, v);
        const c = await RawComet.open(ctx().url, `/c/${q}`);
        try {
          await c.waitForChunks(3);
          assertOnePerChunk(c.chunks, ['a', 'b', 'c']);
        } finally {
          c.close();
        }
      });

      it('a burst (one batch of 20), with a JSONP callback too', async () => {
        const q = qname();
        const plain = await RawComet.open(ctx().url, `/c/${q}`);
        const jsonp = await RawComet.open(ctx().url, `/c/${q}?callback=got`);
        try {
          await registered(ctx().url, q);
          const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
          const r = await req(ctx().url, 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(values), type: 'application/json' });
          assert.equal(r.status, 200, r.text);
          await plain.waitForChunks(20);
          await jsonp.waitForChunks(20);
          assertOnePerChunk(plain.chunks, values);
          assert.deepEqual(
            jsonp.chunks.map((c) => /^got\((.*)\);\r\n$/.exec(c)?.[1]),
            plain.chunks.map((c) => c.slice(0, -2)),
          );
        } finally {
          plain.close();
          jsonp.close();
        }
      });
    });

    describe('heartbeats', () => {
      it('none on COMET by default, while SSE gets its own', async () => {
        const q = qname();
        const c = await RawComet.open(ctx().url, `/c/${q}`);
        const sse = await SseClient.open(ctx().url, `/sse/${q}`);
        try {
          await registered(ctx().url, q);
          // Two SSE heartbeats (1 s apart): a COMET one would have come by now.
          await sse.waitForRaw(() => sse.raw.filter((l) => l.includes(': ping')).length >= 2);
          assert.deepEqual(c.chunks, []);
          await post(ctx().url, q, 'after');
          await c.waitForChunks(1);
          assertOnePerChunk(c.chunks, ['after']);
        } finally {
          c.close();
          sse.close();
        }
      });
    });
  },
  { flags: { heartbeat: '1' } },
);
