/**
 * The SDK's SSE parser: fields, comments, multi-line data, `retry:`, and every line ending
 * (LF, CRLF, CR), however the stream is cut into chunks.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseParser, type SseEvent } from '../../client/sse-parser.js';
import { cutAt } from '../harness/chunks.js';

function parseAll(chunks: string[]): { events: SseEvent[]; retryMs: number | undefined } {
  const p = new SseParser();
  const events = chunks.flatMap((c) => p.push(c));
  return { events, retryMs: p.retryMs };
}

const STREAM = ': restmq\nretry: 2000\n\nid: q:1\ndata: {"key": "q:1", "value": "a"}\n\n: ping\n\nevent: end\ndata: null\n\ndata: one\ndata: two\n\n';
const EXPECTED: SseEvent[] = [
  { event: 'message', id: 'q:1', data: '{"key": "q:1", "value": "a"}' },
  { event: 'end', id: 'q:1', data: 'null' },
  { event: 'message', id: 'q:1', data: 'one\ntwo' },
];

it('parses the broker stream: ids persist, comments and empty events are skipped, retry is read', () => {
  const r = parseAll([STREAM]);
  assert.deepEqual(r.events, EXPECTED);
  assert.equal(r.retryMs, 2000);
});

it('an event is only complete at its blank line', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('data: x\n'), []);
  assert.deepEqual(p.push('\n'), [{ event: 'message', data: 'x' }]);
});

it('gives the same events for any line endings and any chunking', () => {
  fc.assert(
    fc.property(fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat({ max: STREAM.length }), { maxLength: 12 }), (eol, cuts) => {
      const text = STREAM.replace(/\n/g, eol);
      const chunks = cutAt(text, cuts);
      const r = parseAll(chunks);
      assert.deepEqual(r.events, EXPECTED, JSON.stringify(chunks));
      assert.equal(r.retryMs, 2000);
    }),
    { numRuns: 300 },
  );
});
