/**
 * The witnesses of the fuzz: queues with known messages that must come through it unchanged.
 * A resting queue is filled before and drained after; a live producer/consumer pair works a
 * second queue while the fuzz runs. Values are the awkward ones (CR, LF, NUL, U+2028, astral,
 * markup, %-escapes), sent through each way in (form, raw body, JSON protocol).
 */
import assert from 'node:assert/strict';
import { cleanValue } from '../../src/http/kit/args.js';

export const WITNESS_VALUES: readonly string[] = [
  'plain',
  'line one\r\nline two\nthree\r',
  'nul\u0000inside',
  'ünïcödé 😀 𝄞 \u2028\u2029 \ufffd \ufeff',
  '<script>alert(1)</script> & "quotes" \'single\'',
  '%zz %C3%28 + a=b&c=d',
  '  surrounded by space  ',
  '{"cmd": "take", "queue": "x"}',
  'x'.repeat(10_000),
  '\t',
];

type Send = (value: string, i: number) => Promise<string>;

async function ok(r: Response, what: string): Promise<string> {
  const text = await r.text();
  assert.equal(r.status, 200, `${what}: ${r.status} ${text}`);
  return text;
}

/** Enqueues `value` on `queue`, by form, raw body or JSON protocol in turn; returns the key.
 *  `auth`: headers for a broker with an ACL file. */
export function producer(base: string, queue: string, auth: Record<string, string> = {}): Send {
  return async (value, i) => {
    // A form value is cleaned (trimmed, control characters → spaces): only exact ones go by form.
    const way = i % 3 === 0 && cleanValue(value) === value ? 'form' : i % 3 === 2 ? 'json' : 'raw';
    if (way === 'form') {
      const text = await ok(await fetch(`${base}/q/${queue}`, { method: 'POST', headers: auth, body: new URLSearchParams({ value }) }), 'form enqueue');
      return text.replace(/\r\n$/, '');
    }
    if (way === 'raw') {
      const text = await ok(await fetch(`${base}/q/${queue}`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: value }), 'raw enqueue');
      return text.replace(/\r\n$/, '');
    }
    const body = JSON.stringify({ cmd: 'add', queue, value });
    const reply = JSON.parse(await ok(await fetch(`${base}/queue`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body }), 'JSON add')) as { key: string };
    return reply.key;
  };
}

/** Takes up to `count` messages (GET /q/<q>?count=, long-polling `wait` seconds); [] when none came. */
export async function takeSome(base: string, queue: string, count: number, wait = 0): Promise<{ key: string; value: string }[]> {
  const r = await fetch(`${base}/q/${queue}?count=${count}${wait > 0 ? `&wait=${wait}` : ''}`);
  if (r.status === 204) return [];
  const envelopes = JSON.parse(await ok(r, 'take')) as { key: string; value: string }[];
  return envelopes.map(({ key, value }) => ({ key, value }));
}

/** The nth witness message: a known value, numbered so that order and identity are visible. */
export function witnessValue(i: number): string {
  const v = WITNESS_VALUES[i % WITNESS_VALUES.length]!;
  return i % 2 === 0 ? `${i}:${v}` : `${v}#${i}`;
}
