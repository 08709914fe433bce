/**
 * Hostile input for the legacy adapters against one real broker, while witnesses keep
 * flowing: malformed XML, entity bombs, DOCTYPEs, random XML-RPC values on /xmlrpc; random
 * bodies and media types on /collectd/*; garbage, binary, bad PRIs, lying octet counts and
 * huge lines on the syslog TCP and UDP ports. Afterwards: never a 5xx, XML-RPC always answers
 * a methodResponse, the broker is healthy, and the witnesses (a well-behaved syslog sender on
 * its own address, XML-RPC set/get pairs) came through whole and in order. FUZZ_LONG=1 runs
 * more cases with a new seed; FUZZ_SEED=<n> replays.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import fc from 'fast-check';
import { XmlRpcClient, serializeMethodCall, type XmlRpcValue } from '@foxglove/xmlrpc';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { CometClient } from '../harness/stream-clients.js';

const LONG = process.env['FUZZ_LONG'] === '1';
const SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : LONG ? Math.floor(Math.random() * 2 ** 31) : 20261206;
const RUNS = LONG ? 2000 : 150;
const MAX_LINE = 1024;

console.log(`# adapters fuzz: seed ${SEED}, ${RUNS} runs per property (replay: FUZZ_SEED=${SEED}${LONG ? ' FUZZ_LONG=1' : ''} node scripts/run-tests.mjs adapters-fuzz)`);

const xmlValue: fc.Arbitrary<XmlRpcValue> = fc.letrec<{ v: XmlRpcValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 4 }),
  ),
})).v;

const METHOD = fc.oneof(fc.constantFrom('set', 'get', 'stats', 'policy', 'status', 'system.multicall', 'system.methodHelp', 'system.listMethods', '__proto__', 'constructor'), fc.string({ maxLength: 20 }));

/** Valid calls with random arguments, mangled ones, entity tricks, and noise. */
const xmlBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.tuple(METHOD, fc.array(xmlValue, { maxLength: 4 })).map(([m, args]) => serializeMethodCall(m, args)),
  fc.tuple(METHOD, fc.array(xmlValue, { maxLength: 3 }), fc.nat(), fc.string({ maxLength: 10 })).map(([m, args, at, junk]) => {
    const xml = serializeMethodCall(m, args);
    const i = at % (xml.length + 1);
    return xml.slice(0, i) + junk + xml.slice(i);
  }),
  fc.tuple(fc.nat(9), fc.constantFrom('SYSTEM "file:///etc/passwd"', '"&a;&a;&a;&a;&a;&a;&a;&a;"', 'PUBLIC "x" "http://127.0.0.1:1/x.dtd"')).map(
    ([n, entity]) => `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "${'x'.repeat(n)}"><!ENTITY b ${entity}>]><methodCall><methodName>set</methodName><params><param><value>q</value></param><param><value>&b;</value></param></params></methodCall>`,
  ),
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.constant('<methodCall>' + '<value><array><data>'.repeat(2000) + '</methodCall>'),
);

const collectdCase = fc.record({
  name: fc.oneof(fc.constantFrom('data', 'event'), fc.stringMatching(/^[a-z_]{1,12}$/)),
  type: fc.constantFrom('text/plain', 'text/plain; charset=utf-8', 'application/json', 'application/x-www-form-urlencoded', 'text/xml', 'application/octet-stream'),
  body: fc.oneof(
    fc.string({ maxLength: 400 }),
    fc.array(fc.oneof(fc.string(), fc.string().map((s) => `PUTVAL ${s}`), fc.string().map((s) => `Severity: ${s}`)), { maxLength: 6 }).map((l) => l.join('\n')),
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a).toString('latin1')),
  ),
});

/** One hostile syslog frame or stream. */
const syslogGarbage: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(`<${s.length * 7}>${s}\n`)),
  fc.constantFrom('<999>bad\n', '<-1>neg\n', '<>empty\n', '<abc>alpha\n', '<13>>>> two > signs\n', '\0\0\0\n', '\n\n\n').map((s) => Buffer.from(s)),
  fc.integer({ min: MAX_LINE + 1, max: MAX_LINE * 8 }).map((n) => Buffer.from(`<13>${'h'.repeat(n)}\n`)),
  fc.integer({ min: 1, max: 99_999_999 }).map((n) => Buffer.from(`${n} <13>lying octet count`)),
);

function sendTcp(port: number, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.end(data));
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    // A lying octet count keeps the broker waiting: the sender gives up, as a real one would.
    s.setTimeout(300, () => s.destroy());
  });
}

function sendUdp(port: number, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.send(data.subarray(0, 60_000), port, '127.0.0.1', () => {
      s.close();
      resolve();
    });
  });
}

describe('adapters fuzz', () => {
  let broker: TestBroker | undefined;
  let witness: CometClient | undefined;
  let witnessSent = 0;
  let stopWitness = false;
  let witnessLoop: Promise<void> | undefined;
  before(async () => {
    broker = await startTestBroker('memory', { flags: { 'syslog-port': '0', 'syslog-udp-port': '0', 'syslog-max-line-bytes': String(MAX_LINE) } });
    witness = await CometClient.open(broker.url, 'syslogd.127.0.0.2');
    // A well-behaved sender on its own address, one connection, a numbered line every few ms.
    const sock = await new Promise<ReturnType<typeof connect>>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: broker!.syslog!.tcpPort!, localAddress: '127.0.0.2' }, () => resolve(s));
      s.once('error', reject);
    });
    witnessLoop = (async () => {
      while (!stopWitness) {
        sock.write(`<14>1 - - witness - - - w${witnessSent++} ünï 😀\n`);
        await new Promise((r) => setTimeout(r, 5));
      }
      sock.end();
    })();
  });
  after(async () => {
    witness?.close();
    await broker?.close();
  });

  it('XML-RPC: every body is answered 200 with a methodResponse, never an expanded entity', async () => {
    await fc.assert(
      fc.asyncProperty(xmlBody, async (body) => {
        const r = await fetch(`${broker!.url}/xmlrpc`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
        const text = await r.text();
        assert.equal(r.status, 200, text);
        assert.match(text, /^<\?xml version="1.0"\?><methodResponse>/);
        assert.doesNotMatch(text, /root:x:0/);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Witness: the XML-RPC path itself still works.
    const client = new XmlRpcClient(`${broker!.url}/xmlrpc`);
    const key = (await client.methodCall('set', ['fz-xmlrpc', 'after the fuzz'])) as string;
    assert.deepEqual(await client.methodCall('get', ['fz-xmlrpc']), { key, value: 'after the fuzz' });
  });

  it('collectd: random bodies, names and media types are 200, 400, 413 or 415, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(collectdCase, async ({ name, type, body }) => {
        const r = await fetch(`${broker!.url}/collectd/${name}`, { method: 'POST', headers: { 'content-type': type }, body });
        const text = await r.text();
        assert.ok([200, 400, 413, 415].includes(r.status), `${r.status} ${text}`);
        if (r.status !== 200) assert.ok(typeof (JSON.parse(text) as { code: string }).code === 'string');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('syslog: garbage, binary, bad PRIs, lying counts and huge lines over TCP and UDP; the witness sender loses nothing', async () => {
    const { tcpPort, udpPort } = broker!.syslog!;
    await fc.assert(
      fc.asyncProperty(fc.array(syslogGarbage, { minLength: 1, maxLength: 4 }), fc.boolean(), async (frames, udp) => {
        await Promise.all(frames.map((f) => (udp ? sendUdp(udpPort!, f) : sendTcp(tcpPort!, f))));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    stopWitness = true;
    await witnessLoop;
    await witness!.waitForCount(witnessSent, 30_000);
    const lines = witness!.messages.map((m) => (JSON.parse(m.value) as { message: string }).message);
    assert.deepEqual(lines, Array.from({ length: witnessSent }, (_, i) => `w${i} ünï 😀`));
    assert.equal((await fetch(`${broker!.url}/health`)).status, 200);
    const metrics = await (await fetch(`${broker!.url}/metrics`)).text();
    assert.match(metrics, /restmq_syslog_lines_total\{transport="tcp",outcome="truncated"\} [1-9]/);
    assert.ok(witnessSent > 10, `the witness sent ${witnessSent} lines during the fuzz`);
  });
});
