/**
 * API key administration over HTTP (category `admin`): what `restmq authkey --url` uses, and
 * the only way while a broker holds its SQLite file. The key is in the creation reply only;
 * afterwards keys are known by their SHA-256 hash (a prefix of 8 or more hex digits will do).
 *   POST /authkeys         queues=jobs.*,audit&privs=read,write (form, query or JSON arrays)
 *   GET /authkeys          [{"hash", "queues", "privs", "created"}]
 *   DELETE /authkeys/<hash or prefix>
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BrokerError } from '../errors.js';
import { decodeRecord, encodeRecord, hashKey, newKey, validateRecord, type AuthKeyEntry } from '../auth/authkeys.js';
import type { AuthKeyStore } from '../storage/authkey-contract.js';
import { replies, type Reply } from '../protocols/replies.js';
import { argsOf, rawBody } from './kit/body.js';
import { routes } from './kit/reply.js';

const HASH_PREFIX = /^[0-9a-f]{8,64}$/;

/** `queues` and `privs` as lists: JSON arrays in a JSON body, else comma-separated fields. */
function requested(req: FastifyRequest): { queues: string[]; privs: string[] } {
  const list = (v: unknown): string[] =>
    Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
  const raw = rawBody(req);
  if (raw !== undefined && (req.headers['content-type'] ?? '').includes('application/json')) {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new BrokerError('INVALID_JSON');
    }
    const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    return { queues: list(o['queues']), privs: list(o['privs']) };
  }
  const args = argsOf(req);
  return { queues: list(args.get('queues')), privs: list(args.get('privs')) };
}

export async function listEntries(store: AuthKeyStore): Promise<AuthKeyEntry[]> {
  const out: AuthKeyEntry[] = [];
  for (const { hash, record } of await store.listAuthKeys()) {
    const decoded = decodeRecord(record);
    if (decoded) out.push({ hash, record: decoded });
  }
  return out;
}

export function registerAuthkeyRoutes(app: FastifyInstance, store: AuthKeyStore): void {
  routes(app, '/authkeys', {
    POST: {
      acl: 'admin',
      handler: async (req) => {
        const { queues, privs } = requested(req);
        const record = validateRecord(queues, privs);
        if (typeof record === 'string') throw new BrokerError('INVALID_AUTHKEY', record);
        const key = newKey();
        const hash = hashKey(key);
        await store.putAuthKey(hash, encodeRecord(record));
        return replies.command({ key, hash, queues: record.queues, privs: record.privs, created: record.created, sqsSecret: record.sqsSecret });
      },
    },
    GET: {
      acl: 'admin',
      handler: async () =>
        replies.command((await listEntries(store)).map((e) => ({ hash: e.hash, queues: e.record.queues, privs: e.record.privs, created: e.record.created }))),
    },
  });
  routes(app, '/authkeys/:hash', { DELETE: { acl: 'admin', handler: (req) => revoke(store, req) } });
}

/** DELETE /authkeys/<hash or prefix>: the one key it names. */

async function revoke(store: AuthKeyStore, req: FastifyRequest): Promise<Reply> {
  const prefix = (req.params as { hash: string }).hash.toLowerCase();
  if (!HASH_PREFIX.test(prefix)) throw new BrokerError('INVALID_AUTHKEY', 'a key hash, or 8 or more of its first hex digits');
  const matches = (await store.listAuthKeys()).filter((e) => e.hash.startsWith(prefix));
  if (matches.length === 0) throw new BrokerError('NOT_FOUND', 'no API key has this hash');
  if (matches.length > 1) throw new BrokerError('INVALID_AUTHKEY', 'this hash prefix matches several keys: give more digits');
  const hash = matches[0]!.hash;
  return replies.command({ hash, revoked: await store.deleteAuthKey(hash) });
}
