import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HEARTBEAT, SSE_PREAMBLE, cometLine, endFrame, envelope, frame, parseSse, sseEvent } from '../../src/protocols/stream/framing.js';

const m = { key: 'q:1', value: 'hello "world"\r\nline2' };

describe('stream framing', () => {
  it('COMET: one envelope per CRLF line, as the original', () => {
    assert.equal(cometLine(m), '{"key": "q:1", "value": "hello \\"world\\"\\r\\nline2"}\r\n');
    assert.deepEqual(JSON.parse(cometLine(m)), m);
  });

  it('COMET with JSONP wraps each line', () => {
    assert.equal(cometLine({ key: 'q:2', value: 'x' }, 'cb'), 'cb({"key": "q:2", "value": "x"});\r\n');
  });

  it('SSE: id is the key, data the envelope, no raw newline inside data', () => {
    const e = sseEvent(m);
    assert.equal(e, `id: q:1\ndata: ${envelope(m)}\n\n`);
    assert.equal(e.split('\n').length, 4);
    const { events, rest } = parseSse(SSE_PREAMBLE + e);
    assert.equal(rest, '');
    assert.deepEqual(events, [{ id: 'q:1', data: envelope(m) }]);
    assert.deepEqual(JSON.parse(events[0]!.data), m);
  });

  it('WebSocket: the bare envelope', () => {
    assert.equal(frame('ws', m), envelope(m));
  });

  it('HTML-unsafe characters are escaped but parse back', () => {
    const x = { key: 'q:3', value: '</script><b>&' };
    assert.ok(!cometLine(x).includes('<'));
    assert.deepEqual(JSON.parse(cometLine(x)), x);
  });

  it('end frames: the original null line, an SSE end event, a null frame', () => {
    assert.equal(endFrame('comet'), 'null\r\n');
    assert.equal(endFrame('comet', 'cb'), 'cb(null);\r\n');
    assert.deepEqual(parseSse(endFrame('sse')).events, [{ event: 'end', data: 'null' }]);
    assert.equal(endFrame('ws'), 'null');
  });

  it('heartbeats are ignorable by old clients', () => {
    assert.equal(HEARTBEAT.comet, '\r\n');
    assert.deepEqual(parseSse(HEARTBEAT.sse).events, []);
  });

  it('parseSse keeps an incomplete event as rest and handles CRLF and multi-line data', () => {
    const { events, rest } = parseSse('data: a\r\ndata: b\r\n\r\nid: 7\ndata: par');
    assert.deepEqual(events, [{ data: 'a\nb' }]);
    assert.equal(rest, 'id: 7\ndata: par');
  });
});
