/**
 * The adapters' pure parts, as properties (fast-check): the syslog TCP framer returns exactly
 * the messages sent, whatever the framing and however the stream is chunked, cutting oversize
 * ones; parseSyslog and the collectd parsers never throw anything but the catalogue's errors.
 * Plus the examples each RFC gives.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SyslogFramer } from '../../src/syslog/framing.js';
import { parseSyslog } from '../../src/syslog/parse.js';
import { syslogQueue } from '../../src/syslog/message.js';
import { parseNotification, parsePutvals, tokenize } from '../../src/protocols/collectd/parse.js';
import { BrokerError } from '../../src/errors.js';

const SEED = 20261206;

/** Cuts `data` at the given points (sorted, in range). */
function chunks(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(data.subarray(last, p));
    last = p;
  }
  out.push(data.subarray(last));
  return out;
}

function frame(messages: Buffer[], counted: boolean[], max: number, cuts: number[]): { frame: string; truncated: boolean }[] {
  const wire = Buffer.concat(messages.map((m, i) => (counted[i] ? Buffer.concat([Buffer.from(`${m.length} `), m]) : Buffer.concat([m, Buffer.from('\n')]))));
  const got: { frame: string; truncated: boolean }[] = [];
  const framer = new SyslogFramer(max, (f, truncated) => got.push({ frame: f.toString('latin1'), truncated }));
  for (const c of chunks(wire, cuts)) framer.push(c);
  framer.end();
  return got;
}

describe('SyslogFramer', () => {
  // Messages start with '<' as syslog messages do; line-framed ones hold no LF.
  const message = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.concat([Buffer.from('<'), Buffer.from(a)]));

  it('octet-counted and line-framed messages, mixed and chunked anyhow: each comes out once, in order, cut at the limit', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(message, fc.boolean()), { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 16, max: 400 }), (items, cuts, max) => {
        const messages = items.map(([m, counted]) => (counted ? m : Buffer.from(m.toString('latin1').replace(/[\n]/g, ' '), 'latin1')));
        const counted = items.map(([, c]) => c);
        const got = frame(messages, counted, max, cuts);
        const expected = messages
          .map((m, i) => {
            // A line frame loses a trailing CR; an empty line is no message.
            const body = counted[i] ? m : m[m.length - 1] === 0x0d ? m.subarray(0, m.length - 1) : m;
            return { frame: body.subarray(0, max).toString('latin1'), truncated: body.length > max, empty: body.length === 0 };
          })
          .filter((e) => !e.empty)
          .map(({ frame, truncated }) => ({ frame, truncated }));
        assert.deepEqual(got, expected);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('never holds much more than the limit, whatever arrives', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 20 }), (parts) => {
        const framer = new SyslogFramer(64, () => {});
        for (const p of parts) {
          framer.push(Buffer.from(p));
          assert.ok((framer as unknown as { pending: Buffer }).pending.length <= 64 + 11 + 2000);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('parseSyslog', () => {
  it('RFC 5424 examples', () => {
    const a = parseSyslog('<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF\'su root\' failed for lonvick on /dev/pts/8');
    assert.deepEqual([a.format, a.facility, a.severity, a.timestamp, a.hostname, a.app, a.procid, a.msgid, a.structuredData, a.message], [
      'rfc5424', 'auth', 'crit', '2003-10-11T22:14:15.003Z', 'mymachine.example.com', 'su', null, 'ID47', null, "'su root' failed for lonvick on /dev/pts/8",
    ]);
    const b = parseSyslog('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\"ication" eventID="1011"][examplePriority@32473 class="high"]');
    assert.equal(b.structuredData, '[exampleSDID@32473 iut="3" eventSource="Appl\\"ication" eventID="1011"][examplePriority@32473 class="high"]');
    assert.equal(b.message, '');
    assert.deepEqual([b.facility, b.severity], ['local4', 'notice']);
  });

  it('RFC 3164 examples, and the original\'s crashes (bad PRI, a second ">") stored with null fields', () => {
    const a = parseSyslog('<34>Oct 11 22:14:15 mymachine su[230]: \'su root\' failed for lonvick on /dev/pts/8');
    assert.deepEqual([a.format, a.facility, a.severity, a.timestamp, a.hostname, a.app, a.procid, a.message], ['rfc3164', 'auth', 'crit', 'Oct 11 22:14:15', 'mymachine', 'su', '230', "'su root' failed for lonvick on /dev/pts/8"]);
    const b = parseSyslog('<13>hello <b>world</b>');
    assert.deepEqual([b.facility, b.severity, b.message], ['user', 'notice', 'hello <b>world</b>']);
    for (const bad of ['<192>x', '<999>x', '<abc>x', '<-1>x', '<>x', '<013>x', 'no pri at all']) {
      const p = parseSyslog(bad);
      assert.deepEqual([p.format, p.facility, p.severity, p.message], ['unknown', null, null, bad], bad);
    }
  });

  it('never throws, and keeps the message text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `<${s.length % 200}>${s}`), fc.string().map((s) => `<13>1 ${s}`)), (text) => {
        const p = parseSyslog(text);
        assert.equal(typeof p.message, 'string');
        assert.ok(text.includes(p.message.replace(/^\uFEFF/, '')) || p.message === '');
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('queue names per sender address fit the queue-name rules', () => {
    assert.equal(syslogQueue('127.0.0.1'), 'syslogd.127.0.0.1');
    assert.equal(syslogQueue('::ffff:10.0.0.7'), 'syslogd.10.0.0.7');
    assert.equal(syslogQueue('fe80::1%eth0'), 'syslogd.fe80--1_eth0');
  });
});

describe('collectd parsers', () => {
  it('tokenize honours collectd\'s quoting', () => {
    assert.deepEqual(tokenize('PUTVAL "h/p a/t \\"q\\"" interval=10 N:1'), ['PUTVAL', 'h/p a/t "q"', 'interval=10', 'N:1']);
  });

  it('PUTVAL: one object per value list, interval null when absent', () => {
    assert.deepEqual(JSON.parse(parsePutvals('PUTVAL h/p/t 1:2 3:4\nnoise\n')), [
      { host: 'h', plugin_instance: 'p', type_instance: 't', interval: null, value: '1:2' },
      { host: 'h', plugin_instance: 'p', type_instance: 't', interval: null, value: '3:4' },
    ]);
  });

  it('a notification without the blank line: leading headers, then the message', () => {
    assert.deepEqual(JSON.parse(parseNotification('Severity: OKAY\nHost: a b\nall good')), [{ severity: 'OKAY' }, { host: 'a b' }, { event_text: 'all good' }]);
  });

  it('never throw anything but a catalogue error, and what they return is JSON', () => {
    const line = fc.oneof(fc.string(), fc.string().map((s) => `PUTVAL ${s}`), fc.string().map((s) => `Severity: ${s}`), fc.constant(''));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }).map((ls) => ls.join('\n')), (text) => {
        for (const parse of [parsePutvals, parseNotification]) {
          try {
            assert.ok(Array.isArray(JSON.parse(parse(text))));
          } catch (err) {
            assert.ok(err instanceof BrokerError, String(err));
          }
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
