/**
 * API keys (SPEC.md section 7). A key is 32 random bytes in base64url, shown once at creation;
 * the store keeps only its SHA-256 (hex), so the original's `AUTHKEY:<key>` record becomes
 * `AUTHKEY:<sha256 hex of the key>` with the original's `{"queues": [...], "privs": [...]}`
 * (plus `created`). A record grants its privileges on the queues its patterns match: `*`
 * matches any run of characters, so `jobs.*` matches `jobs.a` and `*` every queue.
 * SigV4 (the SQS API) needs a secret the broker itself can sign with, which a hash cannot be:
 * each new key also gets `sqsSecret`, a second random secret shown once beside the key and kept
 * in the record; its access key id is the key's hash. A key created before has none (no SigV4).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Category } from './acl-file.js';

export const PRIVILEGES = ['read', 'write', 'admin'] as const;
export type Privilege = (typeof PRIVILEGES)[number];

export interface AuthKeyRecord {
  queues: string[];
  privs: Privilege[];
  /** Creation time, epoch ms. */
  created: number;
  /** The SigV4 secret access key (SQS API); its access key id is the key's hash. */
  sqsSecret?: string;
}

/** A stored key: its hash and its record. */
export interface AuthKeyEntry {
  hash: string;
  record: AuthKeyRecord;
}

export const HASH_PATTERN = /^[0-9a-f]{64}$/;
/** A queue pattern: queue-name characters and `*`. */
const QUEUE_PATTERN = /^[A-Za-z0-9_.*-]{1,128}$/;

/** Never starting with `-`, which a command line would read as an option (`restmq authkey revoke <key>`). */
export function newKey(): string {
  for (;;) {
    const key = randomBytes(32).toString('base64url');
    if (!key.startsWith('-')) return key;
  }
}

/** 30 random bytes in base64: 40 characters, the shape of an AWS secret access key. */
export function newSqsSecret(): string {
  return randomBytes(30).toString('base64');
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The privilege a category needs: consumers read, producers write, admin is admin. */
export function privilegeFor(category: Category): Privilege {
  if (category === 'rest:producer') return 'write';
  if (category === 'admin') return 'admin';
  return 'read';
}

export function patternMatches(pattern: string, queue: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(queue);
}

/**
 * Whether a record allows `privilege` on `queue`. A request that names no queue (stats of every
 * queue, the dashboard, metrics, POST / and POST /queue whose queue is in the body) needs the
 * privilege on every queue: the pattern `*`.
 */
export function keyAllows(record: AuthKeyRecord, privilege: Privilege, queue: string | undefined): boolean {
  if (!record.privs.includes(privilege)) return false;
  return queue === undefined ? record.queues.includes('*') : record.queues.some((p) => patternMatches(p, queue));
}

/** Checks and normalises what a client asks for; a message for the first problem, or the record. */
export function validateRecord(queues: readonly string[], privs: readonly string[], created = Date.now()): AuthKeyRecord | string {
  if (queues.length === 0) return 'queues: at least one queue pattern';
  const badQueue = queues.find((q) => !QUEUE_PATTERN.test(q));
  if (badQueue !== undefined) return `queues: "${badQueue}" is not a queue pattern (A-Z a-z 0-9 _ . - and *)`;
  if (privs.length === 0) return 'privs: at least one of read, write, admin';
  const badPriv = privs.find((p) => !(PRIVILEGES as readonly string[]).includes(p));
  if (badPriv !== undefined) return `privs: "${badPriv}" is not one of read, write, admin`;
  return { queues: [...new Set(queues)], privs: [...new Set(privs)] as Privilege[], created, sqsSecret: newSqsSecret() };
}

/** A stored record's JSON, or null when it is not one of ours (a foreign or broken value). */
export function decodeRecord(text: string): AuthKeyRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o['queues']) || !Array.isArray(o['privs'])) return null;
  const queues = o['queues'].filter((q): q is string => typeof q === 'string');
  const privs = o['privs'].filter((p): p is Privilege => (PRIVILEGES as readonly unknown[]).includes(p));
  const record: AuthKeyRecord = { queues, privs, created: typeof o['created'] === 'number' ? o['created'] : 0 };
  if (typeof o['sqsSecret'] === 'string') record.sqsSecret = o['sqsSecret'];
  return record;
}

export function encodeRecord(record: AuthKeyRecord): string {
  return JSON.stringify({ queues: record.queues, privs: record.privs, created: record.created,
    ...(record.sqsSecret === undefined ? {} : { sqsSecret: record.sqsSecret }) });
}
