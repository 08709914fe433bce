import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Unflushed, chunkOverhead, unsentBytes } from '../../src/protocols/stream/unflushed.js';
import type { Handed } from '../../src/core/consumer.js';

const h = (n: number): Handed => ({ message: { key: `q:${n}`, value: 'v' }, queue: 'q', copiesOf: { total: 1, failed: 0, copies: 1 } });
const keys = (hs: Handed[]) => hs.map((x) => x.message.key);

describe('Unflushed', () => {
  it('nothing buffered: nothing unsent', () => {
    const u = new Unflushed();
    u.add(h(1), 10);
    assert.deepEqual(u.take(0), []);
  });

  it('the last buffered bytes map to the newest messages', () => {
    const u = new Unflushed();
    for (let i = 1; i <= 4; i++) u.add(h(i), 10);
    assert.deepEqual(keys(u.take(15)), ['q:3', 'q:4'], 'a half-sent message counts as unsent');
  });

  it('trim forgets messages that are surely out, keeps the ones that may not be', () => {
    const u = new Unflushed();
    for (let i = 1; i <= 3; i++) u.add(h(i), 10);
    u.trim(10);
    u.add(h(4), 10);
    assert.deepEqual(keys(u.take(20)), ['q:3', 'q:4']);
  });

  it('more buffered than tracked (headers, heartbeats): every tracked message is unsent', () => {
    const u = new Unflushed();
    u.add(h(1), 10);
    assert.deepEqual(keys(u.take(500)), ['q:1']);
  });
});

describe('unsentBytes', () => {
  it('a batch written at once and half taken by the kernel: only the part still here counts', async () => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    client.pause();
    const [socket] = (await once(server, 'connection')) as [net.Socket];
    try {
      const frame = Buffer.alloc(64 * 1024, 120);
      // Far more than the loopback buffers hold while the client reads nothing: one writev.
      socket.cork();
      for (let i = 0; i < 200; i++) socket.write(frame);
      socket.uncork();
      const written = 200 * frame.length;
      assert.equal(socket.writableLength, written, 'Node counts the write in flight whole');
      const unsent = unsentBytes(socket);
      assert.ok(unsent > 0 && unsent < written, `some of it is in the kernel (unsent ${unsent} of ${written})`);
      socket.write(frame);
      assert.equal(unsentBytes(socket), unsent + frame.length, 'a write queued behind it counts whole');
    } finally {
      client.destroy();
      socket.destroy();
      server.close();
    }
  });

  it('no socket: nothing; chunk overhead is the hex length and two CRLFs', () => {
    assert.equal(unsentBytes(undefined), 0);
    assert.equal(chunkOverhead(65536 + 9), '10009'.length + 4);
  });
});
