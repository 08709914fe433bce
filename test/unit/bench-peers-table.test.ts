/**
 * bench/peers/table.ts: the ratios ours/peer and the issue 7 targets computed from table rows
 * (the bench's own arithmetic; the figures themselves come from `npm run bench:peers`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerLine } from '../../bench/peers/lines.js';
import { formatTable, ratios, targets } from '../../bench/peers/table.js';

const row = (id: string, rate: number, cpuUsPerMsg: number, extra: Partial<PeerLine> = {}): PeerLine => ({
  id,
  group: id.startsWith('bare') ? 'ceiling' : id.startsWith('redis') ? 'ours' : 'peer',
  server: id,
  test: id,
  rate,
  cpuUsPerMsg,
  notes: [],
  ...extra,
});

describe('bench:peers table', () => {
  const lines: PeerLine[] = [
    row('bare.post.start', 10_000, 30),
    row('bare.post.end', 14_000, 34),
    row('redis.post', 9_000, 64),
    row('rsmq.send', 6_000, 80),
    row('redis.sse.1000', 1_500_000, 0.6, { p99Ms: 120, errors: 0 }),
    row('nchan.sse.1000', 100_000, 4),
    { id: 'rabbit.publish', group: 'peer', server: 'rabbitmq', test: 'publish', notes: [], na: 'not reachable' },
  ];

  it('compares with the mean of the bare start and end runs, by throughput and per core', () => {
    const r = ratios(lines).find((x) => x.ours === 'redis.post' && x.peer === 'bare.post');
    assert.ok(r, 'a POST ratio against the bare handler');
    assert.equal(r.ratio, 9_000 / 12_000, 'throughput over the mean bare rate');
    assert.equal(r.perCore, 32 / 64, 'mean bare CPU per message over ours');
    assert.equal(r.pass, true, '0.75 meets the 0.6 goal');
  });

  it('skips rows that were not measured, and checks the p99 of the fan-out target', () => {
    const rs = ratios(lines);
    assert.equal(rs.some((x) => x.peer === 'rabbit.publish'), false, 'no ratio against an n/a row');
    const checks = targets(lines, rs);
    const sse = checks.find((c) => c.text.startsWith('1,000 SSE'));
    assert.equal(sse?.pass, false, '15 × Nchan but p99 120 ms is a miss');
    const send = checks.find((c) => c.text.startsWith('Redis POST ≥ 1.5'));
    assert.equal(send?.pass, true, '9,000 / 6,000 = 1.5 × RSMQ meets the goal');
    const receive = checks.find((c) => c.text.startsWith('Redis GET ≥ 1.5'));
    assert.equal(receive?.pass, undefined, 'not measured is neither pass nor miss');
    assert.match(formatTable(lines, rs, checks), /n\/a \(not reachable\)/, 'the n/a row shows its reason');
  });
});
