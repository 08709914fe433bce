/**
 * Properties of the JSON protocol (src/protocols/json/commands.ts) over a real in-memory
 * SQLite store: parseCommand accepts exactly the JSON objects with a non-empty string "cmd";
 * runCommand answers any command (whatever its fields hold) with a JSON reply or a
 * BrokerError, never another exception; add then take gives the value back exactly.
 */
import { Activity } from '../../src/core/activity.js';
import { Distributor } from '../../src/core/distributor.js';
import { LongPoll } from '../../src/core/long-poll.js';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { BrokerError } from '../../src/errors.js';
import { QueueService } from '../../src/core/queue-service.js';
import { openStore } from '../../src/storage/open.js';
import { parseCommand, runCommand } from '../../src/protocols/json/commands.js';
import { pyJson, type Json } from '../../src/protocols/json-text.js';
import { anyJsString, hostileText } from '../fuzz/arbitraries.js';

type Store = Awaited<ReturnType<typeof openStore>>;

const COMMANDS = ['add', 'get', 'take', 'del', 'lease', 'ack', 'nack', 'extend', 'len', 'stats', 'policy', 'status'];

/** JSON texts near the edge: deep nesting, huge numbers, duplicated keys, __proto__. */
const edgyJson = fc.oneof(
  fc.nat({ max: 3000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.nat({ max: 3000 }).map((d) => '{"cmd": "len", "queue": ' + '{"a": '.repeat(d) + '1' + '}'.repeat(d) + '}'),
  fc.constantFrom(
    '{"cmd": "add", "cmd": "take", "queue": "dup"}',
    '{"__proto__": {"cmd": "add"}, "queue": "p"}',
    '{"cmd": "__proto__", "queue": "p"}',
    '{"cmd": "constructor"}',
    '{"cmd": "toString"}',
    '{"cmd": "add", "queue": "n", "value": "x", "ttl": 1e400}',
    '{"cmd": "add", "queue": "n", "value": "x", "delay": -0}',
    '{"cmd": "lease", "queue": "n", "lease": 123456789012345678901234567890}',
    '{"cmd": "add", "queue": "n", "values": []}',
    '{"cmd": "add", "queue": "n", "value": "\\ud800"}',
    '{"cmd": "add"}',
    '\ufeff{"cmd": "len", "queue": "bom"}',
    '{"cmd": "len", "queue": "x"} trailing',
    '"cmd"',
    'null',
    '',
  ),
);

/** Any JSON text at all: random values, random strings, and mangled commands. */
const jsonText = fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), anyJsString(30), edgyJson);

/** Commands whose fields are drawn from valid and invalid values of every type. */
function commandArb(queue: string): fc.Arbitrary<Record<string, unknown>> {
  const anyField = fc.oneof(
    fc.constant(queue),
    hostileText(10),
    fc.jsonValue({ maxDepth: 2 }),
    fc.integer({ min: -5, max: 100_000 }),
    fc.constantFrom(`${queue}:1`, '1.abcdefgh', 'broadcast', 'roundrobin', 'start', 'stop', 'QUEUESET', '', null),
  );
  return fc.record(
    {
      cmd: fc.oneof(fc.constantFrom(...COMMANDS), hostileText(6)),
      queue: fc.oneof(fc.constant(queue), anyField),
      value: anyField,
      values: fc.oneof(fc.array(hostileText(8), { maxLength: 3 }), anyField),
      key: anyField,
      receipt: anyField,
      ttl: anyField,
      delay: anyField,
      dedup: anyField,
      lease: anyField,
      count: anyField,
      policy: anyField,
      status: anyField,
    },
    { requiredKeys: ['cmd'] },
  );
}

describe('JSON protocol: properties', () => {
  let store: Store;
  let service: QueueService;
  before(async () => {
    store = await openStore({ kind: 'memory' });
    const activity = new Activity();
    const log = { warn: () => {} };
    service = new QueueService(store, { maxMessageBytes: 1024 }, { activity, longPoll: new LongPoll(store, log, activity), streams: new Distributor(store, log, activity) });
  });
  after(async () => store.close());

  it('parseCommand accepts exactly the JSON objects with a non-empty string cmd, and nothing else throws', () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        let oracle: 'ok' | 'INVALID_JSON' | 'INVALID_COMMAND';
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
          const cmd = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)['cmd'] : undefined;
          oracle = typeof cmd === 'string' && cmd.length > 0 ? 'ok' : 'INVALID_COMMAND';
        } catch {
          oracle = 'INVALID_JSON';
        }
        try {
          const c = parseCommand(text);
          assert.equal(oracle, 'ok', `accepted ${JSON.stringify(text)}`);
          // Compared as text: deepEqual recurses and deep nesting is the point here.
          assert.equal(JSON.stringify(c), JSON.stringify(parsed));
        } catch (err) {
          assert.ok(err instanceof BrokerError, `expected a BrokerError, got ${String(err)}`);
          assert.equal(err.code, oracle, JSON.stringify(text));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('runCommand: any command gets a JSON reply or a 4xx BrokerError; the reply serialises and parses back', async () => {
    const queue = `q-${randomUUID()}`;
    await fc.assert(
      fc.asyncProperty(commandArb(queue), async (command) => {
        let reply: Json;
        try {
          reply = await runCommand(service, command);
        } catch (err) {
          assert.ok(err instanceof BrokerError, `${JSON.stringify(command)} threw ${String(err)}`);
          assert.ok(err.status >= 400 && err.status < 500, `${err.code} is a client error`);
          return;
        }
        const text = pyJson(reply);
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(reply)), 'reply round trip');
        assert.equal(typeof reply, 'object', 'a reply is an object');
      }),
      { numRuns: 300 },
    );
  });

  it('add then take gives back every well-formed value exactly (CR, LF, NUL, astral, U+FFFD, white space)', async () => {
    const queue = `q-${randomUUID()}`;
    await fc.assert(
      fc.asyncProperty(hostileText(40).filter((v) => v.length > 0), async (value) => {
        // Through the text the wire carries, not just the object.
        const added = (await runCommand(service, parseCommand(JSON.stringify({ cmd: 'add', queue, value })))) as Record<string, Json>;
        assert.equal(added['value'], value);
        const taken = JSON.parse(pyJson(await runCommand(service, { cmd: 'take', queue }))) as Record<string, unknown>;
        assert.deepEqual(taken, { queue, value, key: added['key'] });
      }),
    );
  });

  it('unpaired surrogates are refused (INVALID_UTF8), never stored', async () => {
    const queue = `q-${randomUUID()}`;
    await fc.assert(
      fc.asyncProperty(anyJsString(20).filter((v) => !v.isWellFormed()), async (value) => {
        await assert.rejects(runCommand(service, { cmd: 'add', queue, value }), (err: unknown) => err instanceof BrokerError && err.code === 'INVALID_UTF8');
      }),
    );
    assert.deepEqual(await runCommand(service, { cmd: 'len', queue }), { queue, len: 0 });
  });
});
