/**
 * syslog ingest (originals.md A.14, R25 fixed) with the real senders: util-linux `logger`
 * over TCP (line and RFC 6587 octet-counted framing) and UDP, in RFC 3164 and RFC 5424, and
 * rsyslog forwarding with omfwd (examples/syslog/rsyslog-restmq.conf: TCP octet-counted RFC 5424;
 * and UDP RFC 3164) from a config the test writes, fed by logger through an imtcp input. Queues are per sender address; the
 * original's single-queue naming is an option; the ACL's host rules apply.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { freePort } from '../harness/redis.js';
import { CometClient } from '../harness/stream-clients.js';
import { req } from './backends.js';

const run = promisify(execFile);
const EXAMPLE_RSYSLOG = new URL('../../examples/syslog/rsyslog-restmq.conf', import.meta.url).pathname;

export interface SyslogBody {
  line: string;
  host: string;
  tstamp: number;
  facility: string | null;
  severity: string | null;
  format: string;
  timestamp: string | null;
  hostname: string | null;
  app: string | null;
  procid: string | null;
  msgid: string | null;
  structured_data: string | null;
  message: string;
  truncated: boolean;
}

/** `logger -n 127.0.0.1 -P port ...args message`. */
async function logger(port: number, args: string[], message?: string): Promise<void> {
  await run('logger', ['-n', '127.0.0.1', '-P', String(port), ...args, ...(message === undefined ? [] : [message])], { timeout: 20_000 });
}

/** Connects to 127.0.0.1:port from `from` (another loopback address = another sender). */
export function tcpFrom(port: number, from = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: from }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Messages of one queue over COMET, parsed; waits for one whose message matches. */
export class SyslogQueue {
  private readonly parsed: SyslogBody[] = [];
  private constructor(readonly comet: CometClient) {}
  static async open(url: string, queue: string): Promise<SyslogQueue> {
    return new SyslogQueue(await CometClient.open(url, queue));
  }
  /** Parsed once each: the waits re-check on every message. */
  bodies(): SyslogBody[] {
    for (const m of this.comet.messages.slice(this.parsed.length)) this.parsed.push(JSON.parse(m.value) as SyslogBody);
    return this.parsed;
  }
  async find(pred: (b: SyslogBody) => boolean, what: string, timeoutMs = 20_000): Promise<SyslogBody> {
    await this.comet.waitForRaw(() => this.bodies().some(pred), timeoutMs).catch((err: Error) => {
      throw new Error(`${err.message}: ${what}; got ${this.bodies().length}, the last: ${JSON.stringify(this.bodies().slice(-3).map((b) => b.line))}`);
    });
    return this.bodies().find(pred)!;
  }
  close(): void {
    this.comet.close();
  }
}

const marker = () => `m${randomUUID().slice(0, 12)}`;

describe('syslog with the real logger and rsyslog', () => {
  let broker: TestBroker | undefined;
  let local: SyslogQueue | undefined;
  let tcp = 0;
  let udp = 0;
  before(async () => {
    broker = await startTestBroker('sqlite', { flags: { 'syslog-port': '0', 'syslog-udp-port': '0' } });
    tcp = broker.syslog!.tcpPort!;
    udp = broker.syslog!.udpPort!;
    local = await SyslogQueue.open(broker.url, 'syslogd.127.0.0.1');
  });
  after(async () => {
    local?.close();
    await broker?.close();
  });

  it('logger --tcp --rfc5424: facility, severity, timestamp, hostname, app and message; host is the sender', async () => {
    const m = marker();
    await logger(tcp, ['--tcp', '--rfc5424', '-t', 'myapp', '-p', 'local3.warning'], `hello ${m} over tcp`);
    const b = await local!.find((x) => x.message === `hello ${m} over tcp`, m);
    assert.equal(b.format, 'rfc5424');
    assert.equal(b.facility, 'local3');
    assert.equal(b.severity, 'warn');
    assert.equal(b.app, 'myapp');
    assert.equal(b.host, '127.0.0.1');
    assert.match(b.timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    assert.ok(b.hostname);
    assert.match(b.line, /^<156>1 /);
    assert.equal(typeof b.tstamp, 'number');
    assert.equal(b.truncated, false);
  });

  it('logger --tcp --octet-count --rfc3164 and logger --udp --rfc3164', async () => {
    const m = marker();
    await logger(tcp, ['--tcp', '--octet-count', '--rfc3164', '-t', 'app2', '-p', 'mail.err'], `octet ${m}`);
    await logger(udp, ['--udp', '--rfc3164', '-t', 'app3', '-p', 'local7.debug'], `udp ${m}`);
    const octet = await local!.find((x) => x.message === `octet ${m}`, `octet ${m}`);
    assert.deepEqual([octet.format, octet.facility, octet.severity, octet.app], ['rfc3164', 'mail', 'err', 'app2']);
    assert.match(octet.timestamp!, /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d$/);
    const overUdp = await local!.find((x) => x.message === `udp ${m}`, `udp ${m}`);
    assert.deepEqual([overUdp.format, overUdp.facility, overUdp.severity, overUdp.app], ['rfc3164', 'local7', 'debug', 'app3']);
  });

  it('logger --udp --rfc5424 with structured data; logger --tcp --octet-count --rfc5424 with a message id', async () => {
    const m = marker();
    await logger(udp, ['--udp', '--rfc5424', '--sd-id', 'zoo@123', '--sd-param', 'tiger="hungry"', '-t', 'zooapp'], `sd ${m}`);
    await logger(tcp, ['--tcp', '--octet-count', '--rfc5424', '--msgid', 'ID47', '-t', 'idapp'], `msgid ${m}`);
    const sd = await local!.find((x) => x.message === `sd ${m}`, `sd ${m}`);
    assert.match(sd.structured_data!, /\[zoo@123 tiger="hungry"\]/);
    assert.equal(sd.app, 'zooapp');
    const id = await local!.find((x) => x.message === `msgid ${m}`, `msgid ${m}`);
    assert.equal(id.msgid, 'ID47');
  });

  it('logger reading 300 lines from stdin over one TCP connection: all stored, in order', async () => {
    const m = marker();
    const input = Array.from({ length: 300 }, (_, i) => `${m} line ${i}`).join('\n') + '\n';
    const child = spawn('logger', ['-n', '127.0.0.1', '-P', String(tcp), '--tcp', '--octet-count', '--rfc5424', '-t', 'bulk'], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.stdin.end(input);
    await new Promise((resolve) => child.once('exit', resolve));
    await local!.find((x) => x.message === `${m} line 299`, 'the last line');
    const mine = local!.bodies().filter((b) => b.message.startsWith(`${m} `)).map((b) => b.message);
    assert.deepEqual(mine, Array.from({ length: 300 }, (_, i) => `${m} line ${i}`));
  });

  it('rsyslog forwards with omfwd: TCP octet-counted RFC 5424, and UDP RFC 3164 from its own address (its own queue)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restmq-rsyslog-'));
    const inPort = await freePort();
    const conf = [
      `global(workDirectory="${dir}")`,
      // No system log sockets: only the test's input.
      'module(load="imtcp")',
      `input(type="imtcp" port="${inPort}" address="127.0.0.1")`,
      // The example's TCP forwarding, pointed at this broker.
      readFileSync(EXAMPLE_RSYSLOG, 'utf8').replaceAll('port="5140"', `port="${tcp}"`),
      `*.* action(type="omfwd" target="127.0.0.1" port="${udp}" protocol="udp" address="127.0.0.3" template="RSYSLOG_ForwardFormat")`,
    ].join('\n');
    writeFileSync(join(dir, 'rsyslog.conf'), conf + '\n');
    const rsyslog: ChildProcess = spawn('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    rsyslog.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    rsyslog.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise((resolve) => rsyslog.once('exit', resolve));
    const viaUdp = await SyslogQueue.open(broker!.url, 'syslogd.127.0.0.3');
    try {
      // Ready once its imtcp input accepts connections.
      const deadline = Date.now() + 20_000;
      for (;;) {
        assert.equal(rsyslog.exitCode, null, `rsyslogd exited: ${output}`);
        try {
          (await tcpFrom(inPort)).destroy();
          break;
        } catch {
          assert.ok(Date.now() < deadline, `rsyslogd never listened: ${output}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const m = marker();
      await logger(inPort, ['--tcp', '--rfc5424', '-t', 'relayed', '-p', 'daemon.notice'], `via rsyslog ${m}`);
      const overTcp = await local!.find((x) => x.message.includes(`via rsyslog ${m}`) && x.format === 'rfc5424', 'the TCP forward');
      assert.deepEqual([overTcp.facility, overTcp.severity, overTcp.app], ['daemon', 'notice', 'relayed']);
      const overUdp = await viaUdp.find((x) => x.message.includes(`via rsyslog ${m}`), 'the UDP forward');
      assert.deepEqual([overUdp.format, overUdp.facility, overUdp.severity, overUdp.app, overUdp.host], ['rfc3164', 'daemon', 'notice', 'relayed', '127.0.0.3'], overUdp.line);
    } finally {
      viaUdp.close();
      rsyslog.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('each sender address has its own queue (the original put every sender in one)', async () => {
    const m = marker();
    const other = await SyslogQueue.open(broker!.url, 'syslogd.127.0.0.2');
    try {
      const s = await tcpFrom(tcp, '127.0.0.2');
      s.end(`<13>1 - - from2 - - - ${m}\n`);
      const b = await other.find((x) => x.message === m, m);
      assert.equal(b.host, '127.0.0.2');
      assert.equal(local!.bodies().some((x) => x.message === m), false);
    } finally {
      other.close();
    }
  });
});

describe('syslog options: the original single-queue naming, and the ACL host rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-syslog-acl-'));
  let single: TestBroker | undefined;
  let guarded: TestBroker | undefined;
  before(async () => {
    single = await startTestBroker('memory', { flags: { 'syslog-port': '0', 'syslog-queue-naming': 'local' } });
    writeFileSync(join(dir, 'acl.conf'), '[rest:producer]\nhosts_allow = 127.0.0.2\n');
    guarded = await startTestBroker('memory', { flags: { 'syslog-port': '0', 'syslog-udp-port': '0', acl: join(dir, 'acl.conf') } });
  });
  after(async () => {
    await single?.close();
    await guarded?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--syslog-queue-naming local: every sender in syslogd.<listening address>', async () => {
    const q = await SyslogQueue.open(single!.url, 'syslogd.127.0.0.1');
    try {
      const m = marker();
      (await tcpFrom(single!.syslog!.tcpPort!, '127.0.0.2')).end(`<14>${m}\n`);
      const b = await q.find((x) => x.message === m, m);
      assert.equal(b.host, '127.0.0.2');
    } finally {
      q.close();
    }
  });

  it('[rest:producer] hosts_allow: other addresses are refused (TCP closed, UDP ignored) and counted', async () => {
    const allowedQ = await SyslogQueue.open(guarded!.url, 'syslogd.127.0.0.2');
    try {
      const refused = await tcpFrom(guarded!.syslog!.tcpPort!, '127.0.0.1');
      await new Promise((resolve) => refused.once('close', resolve));
      await logger(guarded!.syslog!.udpPort!, ['--udp', '--rfc5424'], 'refused over udp');
      const m = marker();
      (await tcpFrom(guarded!.syslog!.tcpPort!, '127.0.0.2')).end(`<14>${m}\n`);
      await allowedQ.find((x) => x.message === m, m);
      const metrics = (await req(guarded!.url, 'GET', '/metrics')).text;
      assert.match(metrics, /restmq_syslog_lines_total\{transport="tcp",outcome="refused"\} 1/);
      assert.match(metrics, /restmq_syslog_lines_total\{transport="udp",outcome="refused"\} 1/);
      assert.equal((await req(guarded!.url, 'GET', '/q/syslogd.127.0.0.1')).status, 204);
    } finally {
      allowedQ.close();
    }
  });
});
