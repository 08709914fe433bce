/**
 * JSON-protocol commands are checked one by one: POST /queue runs every command under
 * rest:producer except policy/status changes (admin); a WebSocket's frames may read and take
 * under websocket:consumer, but `add` needs rest:producer and policy/status changes need admin,
 * checked with the socket's own credentials (Basic or the auth cookie).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { qname } from './backends.js';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const PRODUCER = basic('prod', 'pp');
const ADMIN = basic('adm', 'ap');

const ACL = `[rest:producer]
username = prod
password = pp

[admin]
username = adm
password = ap

[websocket:consumer]
username = wsuser
password = wp
`;

async function command(url: string, body: object, authorization?: string): Promise<{ status: number; json: { code?: string; error?: string } & Record<string, unknown>; challenge: string | null }> {
  const r = await fetch(`${url}/queue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as { code?: string }, challenge: r.headers.get('www-authenticate') };
}

/** Opens a WebSocket and sends each command in turn, resolving with the replies to them. */
async function wsCommands(url: string, q: string, headers: Record<string, string>, commands: object[]): Promise<Record<string, unknown>[]> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/${q}`, { headers });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const answers: Record<string, unknown>[] = [];
  try {
    for (const c of commands) {
      const reply = new Promise<string>((resolve) => socket.once('message', (d) => resolve(d.toString())));
      socket.send(JSON.stringify(c));
      answers.push(JSON.parse(await reply) as Record<string, unknown>);
    }
  } finally {
    socket.terminate();
  }
  return answers;
}

describe('ACL: JSON-protocol commands one by one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-acl-cmd-'));
  const file = join(dir, 'acl.conf');
  let broker: TestBroker | undefined;
  const url = () => {
    assert.ok(broker, 'broker started');
    return broker.url;
  };
  before(async () => {
    writeFileSync(file, ACL);
    broker = await startTestBroker('memory', { flags: { acl: file } });
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('POST /queue: no credentials is 401 with the challenge; producer credentials run add, len and take', async () => {
    const q = qname();
    const none = await command(url(), { cmd: 'add', queue: q, value: 'v' });
    assert.equal(none.status, 401);
    assert.equal(none.json.code, 'AUTH_REQUIRED');
    assert.equal(none.challenge, 'Basic realm="RestMQ"');
    assert.equal((await command(url(), { cmd: 'add', queue: q, value: 'v' }, PRODUCER)).status, 200);
    assert.equal((await command(url(), { cmd: 'len', queue: q }, PRODUCER)).json['len'], 1);
    assert.equal((await command(url(), { cmd: 'take', queue: q }, PRODUCER)).json['value'], 'v');
  });

  it('POST /queue: setting a policy or a status needs admin; reading them does not', async () => {
    const q = qname();
    for (const c of [{ cmd: 'policy', queue: q, policy: 'roundrobin' }, { cmd: 'status', queue: q, status: 'stop' }]) {
      const asProducer = await command(url(), c, PRODUCER);
      assert.equal(asProducer.status, 401, `${c.cmd} set with producer credentials`);
      assert.equal(asProducer.json.code, 'AUTH_REQUIRED');
      assert.equal((await command(url(), c, ADMIN)).status, 200, `${c.cmd} set as admin`);
    }
    const read = await command(url(), { cmd: 'policy', queue: q }, PRODUCER);
    assert.equal(read.status, 200);
    assert.equal(read.json['value'], 'roundrobin');
  });

  it('WebSocket frames: take is a consumer\'s; add and policy changes are refused without their credentials', async () => {
    // The socket streams its own queue; the commands are about another one.
    const q = qname();
    const other = qname();
    assert.equal((await command(url(), { cmd: 'add', queue: other, value: 'first' }, PRODUCER)).status, 200);
    const [len, add, policy] = await wsCommands(url(), q, { cookie: 'auth=wsuser:wp' }, [
      { cmd: 'len', queue: other },
      { cmd: 'add', queue: other, value: 'sneaky' },
      { cmd: 'policy', queue: other, policy: 'roundrobin' },
    ]);
    assert.equal(len?.['len'], 1, `len: ${JSON.stringify(len)}`);
    assert.equal(add?.['code'], 'AUTH_REQUIRED', `add: ${JSON.stringify(add)}`);
    assert.equal(policy?.['code'], 'AUTH_REQUIRED', `policy: ${JSON.stringify(policy)}`);
    assert.equal((await command(url(), { cmd: 'len', queue: other }, PRODUCER)).json['len'], 1, 'the refused add stored nothing');
    assert.equal((await command(url(), { cmd: 'policy', queue: other }, PRODUCER)).json['value'], 'broadcast', 'the refused policy changed nothing');
  });

  it('refusals are counted in restmq_acl_denied_total by reason, with no other label', async () => {
    const text = await (await fetch(`${url()}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('restmq_acl_denied_total{reason="auth"}'));
    assert.ok(line, 'restmq_acl_denied_total{reason="auth"} is exported');
    assert.ok(Number(line.split(' ')[1]) >= 3, `three refusals above at least: ${line}`);
  });

  it('WebSocket frames: the socket\'s own credentials pass when they are the producer\'s too', async () => {
    // One account for both sections: the same Basic header on the handshake authorises the add.
    writeFileSync(file, ACL.replace('username = wsuser\npassword = wp', 'username = prod\npassword = pp'));
    process.emit('SIGHUP', 'SIGHUP');
    const q = qname();
    const [add] = await wsCommands(url(), q, { authorization: PRODUCER }, [{ cmd: 'add', queue: qname(), value: 'ok' }]);
    assert.ok(typeof add?.['key'] === 'string', `add as producer over the socket: ${JSON.stringify(add)}`);
  });
});
