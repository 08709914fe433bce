/**
 * Inbox items of both Redis layouts (lua/lib/inbox_item.lua writes them; on a cluster a stamp
 * line comes first, cluster-stream.ts), and the fields of a message handed back as the scripts
 * that restore it take them (requeue, leasedispatched).
 */
import { BrokerError } from '../../errors.js';
import type { Delivery, ReturnedMessage } from '../stream-contract.js';

/** The first line of an inbox item: copies, then the expiry and the SQS metadata's length in bytes when there are some. */
const ITEM_HEAD = /^(\d+)(?:@(\d+))?(?:#(\d+))?$/;

/** An inbox item, "<copies>[@<expiry>][#<n>]\n<consumer>\n<q>\n<key>\n<meta><value>" (lua/lib/inbox_item.lua), as a Delivery. */
export function parseItem(item: string): Delivery {
  const cut: number[] = [];
  const malformed = () => new BrokerError('INTERNAL', `malformed inbox item: ${JSON.stringify(item.slice(0, 80))}`);
  for (let at = -1, i = 0; i < 4; i++) {
    at = item.indexOf('\n', at + 1);
    if (at < 0) throw malformed();
    cut.push(at);
  }
  const [a, b, c, d] = cut as [number, number, number, number];
  const head = ITEM_HEAD.exec(item.slice(0, a));
  if (!head) throw malformed();
  const consumer = item.slice(a + 1, b);
  const delivery: Delivery = { queue: item.slice(b + 1, c), key: item.slice(c + 1, d), value: item.slice(d + 1), copies: Number(head[1]) };
  if (consumer !== '') delivery.consumer = consumer;
  if (head[2] !== undefined) delivery.expiresAt = Number(head[2]);
  if (head[3] !== undefined) {
    const meta = utf8Prefix(delivery.value, Number(head[3]));
    delivery.meta = meta;
    delivery.value = delivery.value.slice(meta.length);
  }
  return delivery;
}

/** The first `bytes` bytes of `text` in UTF-8, as text (Lua counts the metadata in bytes). A
 *  character takes at least one byte, so only that many characters need encoding. */
function utf8Prefix(text: string, bytes: number): string {
  return Buffer.from(text.slice(0, bytes), 'utf8').subarray(0, bytes).toString('utf8');
}

/** A message handed back, as the requeue and leasedispatched scripts take it: expiry and SQS metadata, '' for none. */
export const expiryArg = (m: ReturnedMessage): string => (m.expiresAt === undefined ? '' : String(m.expiresAt));
export const metaArg = (m: ReturnedMessage): string => m.meta ?? '';
