/**
 * Script and command replies of both Redis layouts turned into queue types: messages, taken
 * messages, the stored codes of policy and status, and a queue's settings (keys.ts).
 */
import type { Message, Policy, QueueStatus } from '../../wire.js';
import type { TakenMessage } from '../contract.js';
import type { QueueSettings } from '../lease-contract.js';
import { POLICY_CODES, STATUS_CODES } from './keys.js';

const POLICY_BY_CODE: Record<string, Policy> = { [POLICY_CODES.broadcast]: 'broadcast', [POLICY_CODES.roundrobin]: 'roundrobin' };
const STATUS_BY_CODE: Record<string, QueueStatus> = { [STATUS_CODES.started]: 'started', [STATUS_CODES.stopped]: 'stopped' };
export const decodePolicy = (v: unknown): Policy | null => (typeof v === 'string' ? POLICY_BY_CODE[v] ?? null : null);
export const decodeStatus = (v: unknown): QueueStatus | null => (typeof v === 'string' ? STATUS_BY_CODE[v] ?? null : null);

/** [k1, v1, k2, v2, ...] from `from` on → messages. */
export function pairs(flat: readonly unknown[], from = 0): Message[] {
  const out: Message[] = [];
  for (let i = from; i + 1 < flat.length; i += 2) out.push({ key: String(flat[i]), value: String(flat[i + 1]) });
  return out;
}

/** [k1, v1, e1, k2, ...] from `from` on (e: expiry in epoch ms, '' for none; take-5.lua) → messages. */
export function taken(flat: readonly unknown[], from = 0): TakenMessage[] {
  const out: TakenMessage[] = [];
  for (let i = from; i + 2 < flat.length; i += 3) {
    const m: TakenMessage = { key: String(flat[i]), value: String(flat[i + 1]) };
    if (flat[i + 2] !== '') m.expiresAt = Number(flat[i + 2]);
    out.push(m);
  }
  return out;
}

/** A queue's settings HASH (lease, max_attempts, dead_letter; keys.ts) → its settings. */
export function decodeSettings(h: Record<string, string>): QueueSettings {
  const s: QueueSettings = {};
  if (h.lease !== undefined) s.leaseSeconds = Number(h.lease);
  if (h.max_attempts !== undefined) s.maxAttempts = Number(h.max_attempts);
  if (h.dead_letter !== undefined) s.deadLetter = h.dead_letter;
  return s;
}
