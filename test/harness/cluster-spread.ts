/**
 * Queues spread over the primaries of a harness cluster: `spreadQueueName` picks names whose
 * slot falls in each third of the slot space in turn (the thirds `redis-cli --cluster create`
 * gives 3 primaries), so any 3 names in a row land on 3 primaries; `assertOnAllPrimaries` checks,
 * by asking the cluster, that the given queues are on every primary.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RedisCluster } from './redis-cluster.js';

const SLOTS = 16384;

/** CRC16-XMODEM, the checksum behind Redis Cluster key slots. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The slot of `key` as Redis computes it: the hash tag's text when there is a non-empty one. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  return crc16(Buffer.from(hashed, 'utf8')) % SLOTS;
}

/** First slots of the 2nd and 3rd primary of `redis-cli --cluster create` on 3 primaries. */
const THIRDS = [5461, 10923];
const thirdOf = (slot: number) => THIRDS.filter((start) => slot >= start).length;
let turn = 0;

/** `<prefix><uuid>` whose slot (of `{name}`, as the cluster layout tags keys) is in the next third. */
export function spreadQueueName(prefix = 'q-'): string {
  const want = turn++ % 3;
  for (;;) {
    const name = `${prefix}${randomUUID()}`;
    if (thirdOf(keySlot(`{${name}}`)) === want) return name;
  }
}

/**
 * Asserts that the queues are on every primary of the cluster: the owner (CLUSTER NODES) of the
 * slot of `{q}` (CLUSTER KEYSLOT) of each, counting with `withKeys` only the queues whose slot
 * holds keys on its owner now (CLUSTER COUNTKEYSINSLOT).
 */
export async function assertOnAllPrimaries(cluster: RedisCluster, queues: readonly string[], opts: { withKeys: boolean }): Promise<void> {
  const primaries = await cluster.primaries();
  assert.equal(primaries.length, 3, 'the harness cluster has 3 primaries');
  const ask = cluster.client(primaries[0]!);
  const clients = new Map(primaries.map((p) => [p.port, cluster.client(p)]));
  const owners = new Map<number, string[]>();
  try {
    const table = String(await ask.call('CLUSTER', 'NODES')).trim().split('\n').map((l) => l.split(' '));
    const ownerOf = (slot: number): number => {
      for (const f of table) {
        if (!f[2]!.includes('master') || f[2]!.includes('fail')) continue;
        for (const range of f.slice(8)) {
          const [lo, hi] = range.split('-').map(Number);
          if (lo !== undefined && slot >= lo && slot <= (hi ?? lo)) return Number(/:(\d+)@/.exec(f[1]!)?.[1]);
        }
      }
      throw new Error(`no primary serves slot ${slot}`);
    };
    for (const q of queues) {
      const slot = Number(await ask.call('CLUSTER', 'KEYSLOT', `{${q}}`));
      const port = ownerOf(slot);
      const owner = clients.get(port);
      assert.ok(owner, `the owner of ${q}'s slot (port ${port}) is a primary`);
      if (opts.withKeys && Number(await owner.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot))) === 0) continue;
      owners.set(port, [...(owners.get(port) ?? []), q]);
    }
  } finally {
    ask.disconnect();
    for (const c of clients.values()) c.disconnect();
  }
  assert.deepEqual([...owners.keys()].sort(), primaries.map((p) => p.port).sort(),
    `the ${queues.length} queues are on every primary (queues per port: ${JSON.stringify([...owners].map(([p, qs]) => [p, qs.length]))})`);
}
