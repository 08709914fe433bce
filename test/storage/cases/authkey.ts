/**
 * The AuthKeyStore cases of the conformance suite (authkey-contract.ts). Each case uses its own
 * random hashes, so the cases never see each other's records (listing filters to its own).
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { Cases } from './context.js';

const hash = () => createHash('sha256').update(randomUUID()).digest('hex');
const record = (queues: string[]) => JSON.stringify({ queues, privs: ['read'], created: Date.now() });

export const AUTHKEY_CASES: Cases = {
  'a record put is got back as written, by its hash': async ({ store }) => {
    const h = hash();
    const r = record(['jobs.*']);
    await store.putAuthKey(h, r);
    assert.equal(await store.getAuthKey(h), r);
  },
  'an unknown hash has no record': async ({ store }) => {
    assert.equal(await store.getAuthKey(hash()), null);
  },
  'put replaces the record of an existing hash': async ({ store }) => {
    const h = hash();
    await store.putAuthKey(h, record(['a']));
    await store.putAuthKey(h, record(['b']));
    assert.deepEqual(JSON.parse((await store.getAuthKey(h)) ?? 'null').queues, ['b']);
  },
  'list returns every record by hash': async ({ store }) => {
    const hs = [hash(), hash(), hash()];
    for (const h of hs) await store.putAuthKey(h, record([h.slice(0, 8)]));
    const listed = (await store.listAuthKeys()).filter((e) => hs.includes(e.hash));
    assert.deepEqual(listed.map((e) => e.hash).sort(), [...hs].sort());
    for (const e of listed) assert.deepEqual(JSON.parse(e.record).queues, [e.hash.slice(0, 8)]);
  },
  'delete removes the record once; a second delete says there was none': async ({ store }) => {
    const h = hash();
    await store.putAuthKey(h, record(['x']));
    assert.equal(await store.deleteAuthKey(h), true);
    assert.equal(await store.getAuthKey(h), null);
    assert.equal(await store.deleteAuthKey(h), false);
    assert.ok(!(await store.listAuthKeys()).some((e) => e.hash === h), 'a deleted key is not listed');
  },
};
