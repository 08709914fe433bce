/**
 * collectd ingest (originals.md A.13, R26 fixed) with the real collectd daemon: the example
 * config (examples/collectd/collectd.conf, Interval 1) posts to a broker the test starts, with
 * write_http in `Format "Command"` and `Format "JSON"`, notifications through write_http and
 * through the exec plugin's NotificationExec (the original's text format). Values and
 * notifications are injected through collectd's own unixsock socket; consumers read
 * collectd_data and collectd_event over COMET, as the example consumer does. Plus the route's
 * own rules over plain HTTP.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { CometClient } from '../harness/stream-clients.js';
import { qname, req } from './backends.js';

const EXAMPLES = new URL('../../examples/collectd/', import.meta.url).pathname;

interface Collectd {
  /** Sends one unixsock command, resolving with collectd's status line. */
  command(line: string): Promise<string>;
  log(): string;
  stop(): Promise<void>;
}

/** Runs collectd in the foreground on the example config, pointed at `url`, in its own directory. */
async function startCollectd(url: string): Promise<Collectd> {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-collectd-'));
  // The exec plugin runs notify.sh as nobody: the directory must be readable by others.
  chmodSync(dir, 0o755);
  const conf = readFileSync(join(EXAMPLES, 'collectd.conf'), 'utf8')
    .replaceAll('http://127.0.0.1:8888', url)
    .replaceAll('/var/lib/restmq-collectd', dir)
    .replace(/^Interval 10$/m, 'Interval 1')
    .replace(/FlushInterval 10/, 'FlushInterval 1');
  writeFileSync(join(dir, 'collectd.conf'), conf);
  writeFileSync(join(dir, 'notify.sh'), readFileSync(join(EXAMPLES, 'notify.sh'), 'utf8').replace('http://127.0.0.1:8888', url), { mode: 0o755 });
  const child: ChildProcess = spawn('collectd', ['-f', '-C', join(dir, 'collectd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  for (const s of [child.stdout!, child.stderr!]) createInterface({ input: s }).on('line', (l) => output.push(l));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const sock = join(dir, 'collectd.sock');
  const log = () => output.join('\n') + '\n' + (() => { try { return readFileSync(join(dir, 'collectd.log'), 'utf8'); } catch { return ''; } })();
  const command = (line: string) =>
    new Promise<string>((resolve, reject) => {
      const c = createConnection(sock);
      c.on('error', reject);
      let text = '';
      c.on('data', (d: Buffer) => {
        text += d.toString();
        const nl = text.indexOf('\n');
        if (nl < 0) return;
        c.destroy();
        resolve(text.slice(0, nl));
      });
      c.write(line + '\n');
    });
  // Ready once the socket answers (the plugin creates it during init).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`collectd exited:\n${log()}`);
    try {
      await command('LISTVAL');
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`collectd's socket never answered:\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    command,
    log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const parsed = (value: string): unknown[] => JSON.parse(value) as unknown[];

describe('the real collectd daemon posting to /collectd/data and /collectd/event', () => {
  let broker: TestBroker | undefined;
  let collectd: Collectd | undefined;
  let data: CometClient | undefined;
  let events: CometClient | undefined;
  before(async () => {
    broker = await startTestBroker('sqlite');
    // Consumers first: COMET hands out what arrives while they listen.
    data = await CometClient.open(broker.url, 'collectd_data');
    events = await CometClient.open(broker.url, 'collectd_event');
    collectd = await startCollectd(broker.url);
  });
  after(async () => {
    data?.close();
    events?.close();
    await collectd?.stop();
    await broker?.close();
  });

  it('write_http Format "Command": PUTVAL lines become {host, plugin_instance, type_instance, interval, value}, quoted names kept whole', async () => {
    const plugin = `app ${randomUUID().slice(0, 8)}`;
    assert.match(await collectd!.command(`PUTVAL "myhost/${plugin}-main/gauge-two words" interval=1 N:42.5`), /^0 /);
    assert.match(await collectd!.command('FLUSH plugin=write_http'), /^0 /);
    const mine = (v: string) => parsed(v).find((o) => (o as { plugin_instance?: string }).plugin_instance === `${plugin}-main`);
    await data!.waitForRaw(() => data!.messages.some((m) => mine(m.value) !== undefined), 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${collectd!.log()}`);
    });
    const obj = mine(data!.messages.find((m) => mine(m.value))!.value) as Record<string, string>;
    assert.deepEqual(Object.keys(obj), ['host', 'plugin_instance', 'type_instance', 'interval', 'value']);
    assert.equal(obj['host'], 'myhost');
    assert.equal(obj['type_instance'], 'gauge-two words');
    assert.equal(obj['interval'], '1.000');
    assert.match(obj['value']!, /^\d+\.\d+:42\.5$/);
  });

  it('write_http Format "JSON": collectd\'s JSON array is stored as sent', async () => {
    const plugin = `json${randomUUID().slice(0, 8)}`;
    assert.match(await collectd!.command(`PUTVAL myhost/${plugin}/gauge N:7`), /^0 /);
    assert.match(await collectd!.command('FLUSH plugin=write_http'), /^0 /);
    const mine = (v: string) => parsed(v).find((o) => (o as { plugin?: string }).plugin === plugin);
    await data!.waitForRaw(() => data!.messages.some((m) => mine(m.value) !== undefined), 20_000);
    const obj = mine(data!.messages.find((m) => mine(m.value))!.value) as { values: number[]; dsnames: string[]; host: string };
    assert.deepEqual(obj.values, [7]);
    assert.deepEqual(obj.dsnames, ['value']);
    assert.equal(obj.host, 'myhost');
  });

  it('a notification reaches collectd_event twice: as write_http\'s JSON, and in the exec text format as [{severity}, …, {event_text}] with every word kept', async () => {
    const text = `disk ${randomUUID()} is full, really full`;
    const now = Math.floor(Date.now() / 1000);
    assert.match(await collectd!.command(`PUTNOTIF severity=warning time=${now} host=myhost plugin=disk plugin_instance=sda type=gauge message="${text}"`), /^0 /);
    const fromExec = () => events!.messages.find((m) => m.value.includes(text) && m.value.includes('event_text'));
    const fromWriteHttp = () => events!.messages.find((m) => m.value.includes(text) && m.value.includes('annotations'));
    await events!.waitForRaw(() => fromExec() !== undefined && fromWriteHttp() !== undefined, 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${events!.messages.map((m) => m.value).join('\n')}\n${collectd!.log()}`);
    });
    assert.deepEqual(parsed(fromExec()!.value), [
      { severity: 'WARNING' },
      { time: `${now}.000` },
      { host: 'myhost' },
      { plugin: 'disk' },
      { plugininstance: 'sda' },
      { type: 'gauge' },
      { event_text: text },
    ]);
    const alert = (parsed(fromWriteHttp()!.value)[0] as { annotations: { summary: string } });
    assert.equal(alert.annotations.summary, text);
  });

  it('examples/collectd/test_collectd.py reads both queues over COMET', async () => {
    const py = execFile('python3', [join(EXAMPLES, 'test_collectd.py'), broker!.url, '--count', '2'], { timeout: 30_000 });
    const out = new Promise<string>((resolve, reject) => {
      let text = '';
      py.stdout!.on('data', (d: Buffer) => (text += d.toString()));
      py.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
    });
    // collectd's load plugin posts every second; a value of ours makes sure something flows.
    await collectd!.command('PUTVAL myhost/example/gauge N:1');
    await collectd!.command('FLUSH plugin=write_http');
    const lines = (await out).trim().split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) {
      const [queue, value] = line.split('\t');
      assert.ok(queue === 'collectd_data' || queue === 'collectd_event', line);
      assert.ok(Array.isArray(JSON.parse(value!)), line);
    }
  });
});

describe('/collectd/<name> over HTTP: media types, unknown names, GET and DELETE as on /q/', () => {
  let broker: TestBroker | undefined;
  before(async () => {
    broker = await startTestBroker('memory');
  });
  after(async () => broker?.close());
  const post = (name: string, body: string, type: string, query = '') => req(broker!.url, 'POST', `/collectd/${name}${query}`, { body, type });
  const take = async (queue: string) => JSON.parse((await req(broker!.url, 'GET', `/q/${queue}`)).text) as { key: string; value: string };

  it('text/plain with a charset is accepted (the original wanted the exact type); the reply is the key with CRLF, JSONP too', async () => {
    const r = await post('data', 'PUTVAL h/p/t interval=10.000 1700000000:1:2\r\n', 'text/plain; charset=utf-8');
    assert.equal(r.status, 200);
    assert.match(r.text, /^collectd_data:\d+\r\n$/);
    assert.deepEqual(JSON.parse((await take('collectd_data')).value), [{ host: 'h', plugin_instance: 'p', type_instance: 't', interval: '10.000', value: '1700000000:1:2' }]);
    const jsonp = await post('data', 'PUTVAL h/p/t N:1', 'text/plain', '?callback=cb');
    assert.match(jsonp.text, /^cb\("collectd_data:\d+"\);\r\n$/);
    await take('collectd_data');
  });

  it('unknown names are 400 INVALID_COLLECTD; other media types 415; unparsable bodies 400', async () => {
    const checks: [string, string, string, number, string][] = [
      ['metrics', 'PUTVAL h/p/t N:1', 'text/plain', 400, 'INVALID_COLLECTD'],
      ['data', 'PUTVAL h/p/t N:1', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['data', 'PUTVAL h/p/t N:1', 'text/csv', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['data', 'PUTVAL h/p N:1', 'text/plain', 400, 'INVALID_COLLECTD'],
      ['data', 'hello', 'text/plain', 400, 'INVALID_COLLECTD'],
      ['data', '{"a":', 'application/json', 400, 'INVALID_JSON'],
      ['event', '', 'text/plain', 400, 'INVALID_COLLECTD'],
    ];
    for (const [name, body, type, status, code] of checks) {
      const r = await post(name, body, type);
      assert.equal(r.status, status, `${name} ${type} ${body}: ${r.text}`);
      assert.equal(JSON.parse(r.text).code, code);
    }
    assert.equal((await req(broker!.url, 'GET', '/q/collectd_data')).status, 204, 'nothing stored');
  });

  it('GET and DELETE /collectd/<q> take and purge like /q/<q>', async () => {
    const q = qname();
    await req(broker!.url, 'POST', `/q/${q}`, { form: { value: 'one' } });
    await req(broker!.url, 'POST', `/q/${q}`, { form: { value: 'two' } });
    const got = await req(broker!.url, 'GET', `/collectd/${q}`);
    assert.deepEqual(JSON.parse(got.text), { count: 0, key: `${q}:1`, value: 'one' });
    const purged = await req(broker!.url, 'DELETE', `/collectd/${q}`);
    assert.equal(purged.text, (await req(broker!.url, 'DELETE', `/q/${qname()}`)).text.replace(/"queue": "[^"]+"/, `"queue": "${q}"`).replace('"status": 0', '"status": 1'));
    assert.equal((await req(broker!.url, 'GET', `/collectd/${q}`)).status, 204);
    assert.equal((await req(broker!.url, 'PUT', `/collectd/${q}`)).status, 405);
  });

  it('a notification in the exec text format keeps every word and every message line', async () => {
    const body = 'Severity: FAILURE\nTime: 1700000000.000\nHost: my host\nPlugin: df\nDataSource: value\nCurrentValue: 9.5e+01\n\nline one\nline two\n';
    assert.equal((await post('event', body, 'text/plain')).status, 200);
    assert.deepEqual(JSON.parse((await take('collectd_event')).value), [
      { severity: 'FAILURE' },
      { time: '1700000000.000' },
      { host: 'my host' },
      { plugin: 'df' },
      { datasource: 'value' },
      { currentvalue: '9.5e+01' },
      { event_text: 'line one\nline two' },
    ]);
  });
});
