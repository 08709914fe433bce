/**
 * The API key store conformance suite (authkey-contract.ts): every AuthKeyStore backend runs
 * these cases through `runAuthKeyConformance({ name, open })`. Each case uses its own random
 * hashes, so the cases never see each other's records (listing filters to its own).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { AuthKeyStore } from '../../src/storage/authkey-contract.js';

export interface AuthKeyConformanceOptions {
  name: string;
  open: () => Promise<AuthKeyStore & { close(): Promise<void> }>;
}

const hash = () => createHash('sha256').update(randomUUID()).digest('hex');
const record = (queues: string[]) => JSON.stringify({ queues, privs: ['read'], created: Date.now() });

export function runAuthKeyConformance(opts: AuthKeyConformanceOptions): void {
  describe(`AuthKeyStore conformance: ${opts.name}`, () => {
    let store: (AuthKeyStore & { close(): Promise<void> }) | undefined;
    const s = () => {
      assert.ok(store, 'store not opened');
      return store;
    };
    before(async () => {
      store = await opts.open();
    });
    after(async () => {
      await store?.close();
    });

    it('a record put is got back as written, by its hash', async () => {
      const h = hash();
      const r = record(['jobs.*']);
      await s().putAuthKey(h, r);
      assert.equal(await s().getAuthKey(h), r);
    });

    it('an unknown hash has no record', async () => {
      assert.equal(await s().getAuthKey(hash()), null);
    });

    it('put replaces the record of an existing hash', async () => {
      const h = hash();
      await s().putAuthKey(h, record(['a']));
      await s().putAuthKey(h, record(['b']));
      assert.deepEqual(JSON.parse((await s().getAuthKey(h)) ?? 'null').queues, ['b']);
    });

    it('list returns every record by hash', async () => {
      const hs = [hash(), hash(), hash()];
      for (const h of hs) await s().putAuthKey(h, record([h.slice(0, 8)]));
      const listed = (await s().listAuthKeys()).filter((e) => hs.includes(e.hash));
      assert.deepEqual(listed.map((e) => e.hash).sort(), [...hs].sort());
      for (const e of listed) assert.deepEqual(JSON.parse(e.record).queues, [e.hash.slice(0, 8)]);
    });

    it('delete removes the record once; a second delete says there was none', async () => {
      const h = hash();
      await s().putAuthKey(h, record(['x']));
      assert.equal(await s().deleteAuthKey(h), true);
      assert.equal(await s().getAuthKey(h), null);
      assert.equal(await s().deleteAuthKey(h), false);
      assert.ok(!(await s().listAuthKeys()).some((e) => e.hash === h), 'a deleted key is not listed');
    });
  });
}
