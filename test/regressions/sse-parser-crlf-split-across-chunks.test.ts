/**
 * Regression (found by test/unit/framing-properties.test.ts): parseSse turned a CR at the end
 * of a chunk into a line end, so a CRLF cut between two chunks counted as two line ends and
 * ended the event early; a server sending CRLF lines had its events split in two.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSse } from '../../src/protocols/stream/framing.js';

it('a CRLF split across two chunks is one line end', () => {
  const first = parseSse('id: q:1\r');
  assert.deepEqual(first.events, [], 'no event before the blank line');
  const second = parseSse(first.rest + '\ndata: {"key": "q:1", "value": "v"}\r\n\r\n');
  assert.deepEqual(second.events, [{ id: 'q:1', data: '{"key": "q:1", "value": "v"}' }]);
  assert.equal(second.rest, '');
});
