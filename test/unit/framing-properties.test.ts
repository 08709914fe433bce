/**
 * Properties of stream framing (src/protocols/stream/framing.ts): every frame parses back to
 * exactly the message it carries (values with CR, LF, NUL, U+2028, astral characters, lone
 * surrogates), COMET lines and SSE events can never be split or merged by a value, and the
 * incremental SSE parser gives the same events however the stream is cut into chunks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HEARTBEAT, SSE_PREAMBLE, cometLine, endFrame, envelope, frame, parseSse, sseEvent } from '../../src/protocols/stream/framing.js';
import { anyJsString, queueName } from '../fuzz/arbitraries.js';
import { cutAt } from '../harness/chunks.js';

const message = fc.record({ key: fc.tuple(queueName, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })).map(([q, n]) => `${q}:${n}`), value: anyJsString(60) }).map((m) => ({ ...m }));
const leased = fc.record({
  key: message.map((m) => m.key),
  value: anyJsString(30),
  receipt: fc.string({ unit: fc.constantFrom(...'19.aZ_-'), minLength: 1, maxLength: 20 }),
  attempts: fc.integer({ min: 1, max: 1000 }),
}).map((m) => ({ ...m }));
const callback = fc.stringMatching(/^[A-Za-z_$][\w$.]{0,10}$/);

/** Feeds chunks to parseSse the way a client does: keep `rest`, append the next chunk. */
function parseIncrementally(parts: string[]): ReturnType<typeof parseSse>['events'] {
  const events: ReturnType<typeof parseSse>['events'] = [];
  let rest = '';
  for (const part of parts) {
    const r = parseSse(rest + part);
    events.push(...r.events);
    rest = r.rest;
  }
  return events;
}

describe('stream framing: properties', () => {
  it('an envelope is JSON that parses back to exactly the message (leased ones with receipt and attempts)', () => {
    fc.assert(fc.property(fc.oneof(message, leased), (m) => assert.deepEqual(JSON.parse(envelope(m)), m)));
  });

  it('COMET: one CRLF-terminated line per message, no raw CR, LF or U+2028/9 inside; JSONP wraps it', () => {
    fc.assert(
      fc.property(message, fc.option(callback, { nil: undefined }), (m, cb) => {
        const line = cometLine(m, cb);
        assert.ok(line.endsWith('\r\n'), 'CRLF at the end');
        const body = line.slice(0, -2);
        assert.ok(!/[\r\n\u2028\u2029]/.test(body), `raw line break inside ${JSON.stringify(body)}`);
        assert.ok(!/[<>&]/.test(body), 'HTML-unsafe characters are escaped');
        const json = cb === undefined ? body : body.slice(cb.length + 1, -2);
        if (cb !== undefined) assert.equal(body, `${cb}(${json});`);
        assert.deepEqual(JSON.parse(json), m);
      }),
    );
  });

  it('a COMET stream of many messages splits back into the same messages on CRLF', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), (ms) => {
        const stream = HEARTBEAT.comet + ms.map((m) => cometLine(m)).join(HEARTBEAT.comet) + endFrame('comet');
        const lines = stream.split('\r\n').filter((l) => l !== '');
        assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), [...ms, null]);
      }),
    );
  });

  it('SSE: a stream of events parses back to the same ids and messages, however it is chunked', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (ms, cuts) => {
        const stream = SSE_PREAMBLE + ms.map((m) => sseEvent(m) + HEARTBEAT.sse).join('') + endFrame('sse');
        const events = parseIncrementally(cutAt(stream, cuts));
        const expected = [...ms.map((m) => ({ id: m.key, data: envelope(m) })), { event: 'end', data: 'null' }];
        assert.deepEqual(events, expected);
        assert.deepEqual(events.slice(0, -1).map((e) => JSON.parse(e.data) as unknown), ms);
      }),
    );
  });

  it('parseSse reads CRLF and CR line endings too, however the stream is chunked (a CRLF split across chunks)', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), fc.constantFrom('\r\n', '\r'), fc.array(fc.nat(), { maxLength: 12 }), (ms, eol, cuts) => {
        const stream = ms.map((m) => sseEvent(m).replace(/\n/g, eol)).join('');
        // A CR at the end of what has arrived may be half a CRLF: the next bytes (here a comment) settle it.
        const events = parseIncrementally([...cutAt(stream, cuts), `:${eol}`]);
        assert.deepEqual(events, ms.map((m) => ({ id: m.key, data: envelope(m) })));
      }),
    );
  });

  it('parseSse takes any text without throwing, and never loses an event to the way it is chunked', () => {
    const sseish = fc.array(fc.oneof(anyJsString(10), fc.constantFrom('data: ', 'id: ', 'event: ', ':', '\n', '\r\n', '\r', '\n\n', 'data')), { maxLength: 20 }).map((p) => p.join(''));
    fc.assert(
      fc.property(sseish, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        // A trailing blank line settles everything that came before it.
        const whole = parseSse(text + '\n\n').events;
        assert.ok(whole.every((e) => typeof e.data === 'string'), 'every event has data');
        assert.deepEqual(parseIncrementally([...cutAt(text, cuts), '\n\n']), whole, JSON.stringify(text));
      }),
    );
  });

  it('WebSocket frames are the bare envelope', () => {
    fc.assert(fc.property(message, (m) => assert.deepEqual(JSON.parse(frame('ws', m)), m)));
  });
});
