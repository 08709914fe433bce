/**
 * Moves between queues in a cluster (dead letters, redrive). Two queues live in two slots, so
 * a move cannot be one script; it is three steps, each atomic, each safe to repeat:
 *   0. a script of the source queue takes the message out of it and into the source's outbox
 *      (`{q}:outbox`, move id `<q>:<n>`: a message leaves its queue once, so ids never repeat);
 *   1. movein-21.lua appends it to the target, recording the move id in a marker key there, so
 *      a repeated step 1 appends nothing;
 *   2. HDEL of the outbox entry.
 * A crash after 0 leaves the entry in the outbox; after 1, the entry and the marker. Whoever
 * next reaps the source queue (every broker's lease reaper, or a lease on the queue) finds the
 * entry and runs 1 and 2 again: the message is neither lost nor duplicated.
 */
import { clusterKeys, clusterQueueKeys, MOVE_SECONDS } from './keys.js';
import type { ScriptedCluster } from './cluster-scripts.js';

/** An outbox record: "<target>\n<origin>\n<expiry ms>\n<m>\n<meta><body>" (lib/ship.lua), m the
 *  byte length of the SQS metadata ('' when the message has none: meta is then ''). */
export interface MoveRecord {
  target: string;
  origin: string;
  expiry: string;
  meta: string;
  body: string;
}

export function parseMove(record: string): MoveRecord | undefined {
  const m = /^([^\n]*)\n([^\n]*)\n([^\n]*)\n([0-9]*)\n([\s\S]*)$/.exec(record);
  if (!m) return undefined;
  const rest = m[5]!;
  let meta = '';
  let body = rest;
  if (m[4] !== '') {
    // Lua counts bytes: split the UTF-8 encoding, not the JavaScript string.
    const bytes = Buffer.from(rest, 'utf8');
    const len = Number(m[4]);
    if (len > bytes.length) return undefined;
    meta = bytes.subarray(0, len).toString('utf8');
    body = bytes.subarray(len).toString('utf8');
  }
  return { target: m[1]!, origin: m[2]!, expiry: m[3]!, meta, body };
}

/** The message number of a move id `<q>:<n>`, for ordering. */
const numberOf = (moveId: string) => Number(moveId.slice(moveId.lastIndexOf(':') + 1));

/** Step 1: appends the message to its target once; resolves to its number there (0: expired). */
export async function copyMove(cluster: ScriptedCluster, moveId: string, move: MoveRecord): Promise<number> {
  const t = move.target;
  const [n] = await cluster.movein(...clusterQueueKeys(t), clusterKeys.move(t, moveId),
    t, clusterKeys.events(t), move.origin, move.expiry, move.body, String(MOVE_SECONDS), move.meta);
  return Number(n);
}

/** Step 2: the source forgets the move (idempotent). */
export async function finishMove(cluster: ScriptedCluster, source: string, moveId: string): Promise<void> {
  await cluster.hdel(clusterKeys.outbox(source), moveId);
}

/**
 * Runs steps 1 and 2 for outbox entries [id, record, id, record, ...] of `source`, oldest
 * message first (so a redrive keeps the order). `register` indexes each target queue first.
 * Resolves to how many moves were finished.
 */
export async function drainOutbox(cluster: ScriptedCluster, source: string, flat: readonly (string | number)[],
  register: (queue: string) => Promise<void>): Promise<number> {
  const entries: [string, MoveRecord][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const move = parseMove(String(flat[i + 1]));
    if (move) entries.push([String(flat[i]), move]);
  }
  entries.sort((a, b) => numberOf(a[0]) - numberOf(b[0]));
  for (const [id, move] of entries) {
    await register(move.target);
    await copyMove(cluster, id, move);
    await finishMove(cluster, source, id);
  }
  return entries.length;
}
