/**
 * BrowseStore on SQLite (browse-contract.ts): one indexed query per page. The conditions are
 * those of the meters (sqlite-meters.ts): ready as every read of the queue, in flight when a
 * lease is held, delayed when not yet visible. Expired rows are skipped as peek skips them.
 */
import type Database from 'better-sqlite3';
import type { BrowsePage, MessageState } from '../browse-contract.js';
import { READY_AT_NOW } from './sqlite-queue.js';

type Row = [seq: number, value: string, attempts: number, at: number | null, origin: string | null, token: string | null];

const LIVE = '(expires_at IS NULL OR expires_at > @now)';
const WHERE: Record<MessageState, { where: string; at: string; order: string }> = {
  ready: { where: READY_AT_NOW, at: 'NULL', order: 'seq' },
  inflight: { where: 'leased_until IS NOT NULL', at: 'leased_until', order: 'leased_until, seq' },
  delayed: { where: 'leased_until IS NULL AND visible_at > @now', at: 'visible_at', order: 'visible_at, seq' },
};

export function browseOperations(db: Database.Database) {
  const statements = Object.fromEntries(
    (Object.keys(WHERE) as MessageState[]).map((state) => {
      const { where, at, order } = WHERE[state];
      return [
        state,
        {
          page: db.prepare<{ queue: string; now: number; limit: number; offset: number }, Row>(
            `SELECT seq, value, attempts, ${at}, origin, lease_token FROM messages WHERE queue = @queue AND ${LIVE} AND ${where}
             ORDER BY ${order} LIMIT @limit OFFSET @offset`).raw(),
          total: db.prepare<{ queue: string; now: number }, number>(
            `SELECT count(*) FROM messages WHERE queue = @queue AND ${LIVE} AND ${where}`).pluck(),
        },
      ];
    }),
  ) as Record<MessageState, { page: Database.Statement<{ queue: string; now: number; limit: number; offset: number }, Row>; total: Database.Statement<{ queue: string; now: number }, number> }>;
  return {
    browse: (queue: string, state: MessageState, offset: number, limit: number, now: number): BrowsePage => {
      const st = statements[state];
      return {
        total: st.total.get({ queue, now }) ?? 0,
        messages: st.page.all({ queue, now, limit, offset }).map(([seq, value, attempts, at, origin, token]) => ({
          key: `${queue}:${seq}`, value, attempts, at, origin,
          // As sqlite-lease.ts hands receipts out: `<seq>.<token>`.
          receipt: state === 'inflight' && token !== null ? `${seq}.${token}` : null,
        })),
      };
    },
  };
}
