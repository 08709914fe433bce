import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, type ConsumerSink, type EndReason, type Handed } from '../../src/core/consumer.js';

class FakeSink implements ConsumerSink {
  writes: string[][] = [];
  full = false;
  drain: (() => void) | undefined;
  ended: EndReason | undefined;
  beats = 0;
  /** What end() reports as accepted but never handed to the OS. */
  unsent: Handed[] = [];
  write(batch: readonly Handed[]): boolean {
    this.writes.push(batch.map((h) => h.message.key));
    return !this.full;
  }
  onDrain(l: () => void): void {
    this.drain = l;
  }
  heartbeat(): void {
    this.beats++;
  }
  end(reason: EndReason): Handed[] {
    this.ended ??= reason;
    return this.unsent;
  }
}

const h = (n: number): Handed => ({ message: { key: `q:${n}`, value: 'v' }, queue: 'q', copiesOf: { total: 1, failed: 0, copies: 1 } });
const tick = () => new Promise<void>((r) => queueMicrotask(r));

describe('Consumer', () => {
  it('coalesces the messages of one tick into one write, in order', async () => {
    const sink = new FakeSink();
    const c = new Consumer('q', 'sse', sink, { maxPending: 10, maxPendingBytes: 1000 }, () => assert.fail('no overflow'));
    for (let i = 1; i <= 5; i++) c.deliver(h(i));
    await tick();
    assert.deepEqual(sink.writes, [['q:1', 'q:2', 'q:3', 'q:4', 'q:5']]);
  });

  it('holds messages while saturated and writes them after drain', async () => {
    const sink = new FakeSink();
    sink.full = true;
    const c = new Consumer('q', 'comet', sink, { maxPending: 10, maxPendingBytes: 1000 }, () => assert.fail('no overflow'));
    c.deliver(h(1));
    await tick();
    c.deliver(h(2));
    c.deliver(h(3));
    await tick();
    assert.deepEqual(sink.writes, [['q:1']]);
    sink.full = false;
    sink.drain!();
    assert.deepEqual(sink.writes, [['q:1'], ['q:2', 'q:3']]);
  });

  it('overflows past the limit while saturated: cut off, unwritten messages handed back', async () => {
    const sink = new FakeSink();
    sink.full = true;
    const seen: { back?: Handed[] } = {};
    const c = new Consumer('q', 'ws', sink, { maxPending: 2, maxPendingBytes: 1000 }, (_c, unwritten) => (seen.back = unwritten));
    c.deliver(h(1));
    await tick();
    c.deliver(h(2));
    c.deliver(h(3));
    assert.equal(seen.back?.length ?? 0, 0, "no overflow yet");
    c.deliver(h(4));
    assert.deepEqual(seen.back?.map((x) => x.message.key), ['q:2', 'q:3', 'q:4']);
    assert.equal(sink.ended, 'overflow');
    assert.equal(c.closed, true);
    c.deliver(h(5));
    assert.equal(sink.writes.length, 1);
  });

  it('close returns what was never written and ends the sink once', async () => {
    const sink = new FakeSink();
    const c = new Consumer('q', 'comet', sink, { maxPending: 10, maxPendingBytes: 1000 }, () => {});
    c.deliver(h(1));
    assert.deepEqual(c.close('deleted').map((x) => x.message.key), ['q:1']);
    assert.deepEqual(c.close('shutdown'), []);
    assert.equal(sink.ended, 'deleted');
  });

  it('close returns the transport\'s unsent messages first, then the ones never written', async () => {
    const sink = new FakeSink();
    sink.full = true;
    const c = new Consumer('q', 'comet', sink, { maxPending: 10, maxPendingBytes: 1000 }, () => {});
    c.deliver(h(1));
    await tick();
    c.deliver(h(2));
    sink.unsent = [h(1)];
    assert.deepEqual(c.close('client').map((x) => x.message.key), ['q:1', 'q:2']);
  });

  it('sends a heartbeat only after the idle time', () => {
    const sink = new FakeSink();
    const c = new Consumer('q', 'sse', sink, { maxPending: 10, maxPendingBytes: 1000 }, () => {});
    c.heartbeat(c.lastWrite + 10, 1000);
    assert.equal(sink.beats, 0);
    c.heartbeat(c.lastWrite + 1000, 1000);
    assert.equal(sink.beats, 1);
  });
});
