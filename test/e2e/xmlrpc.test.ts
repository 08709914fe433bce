/**
 * XML-RPC at /xmlrpc, driven by the real clients: Python 3's standard xmlrpc.client (the
 * original's examples/test_xmlrpc.py flow, run as a python3 process) and a Node client
 * (@foxglove/xmlrpc). Faults instead of 5xx for malformed XML, DOCTYPEs, unknown methods and
 * wrong argument types; calls checked one by one against the ACL.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { XmlRpcClient, XmlRpcFault } from '@foxglove/xmlrpc';
import { forEachBackend, qname, req } from './backends.js';
import { startTestBroker, type TestBroker } from '../harness/broker.js';

const run = promisify(execFile);
const EXAMPLE = new URL('../../examples/xmlrpc/test_xmlrpc.py', import.meta.url).pathname;

/** Runs a Python 3 snippet with argv, returning its stdout parsed as JSON. */
async function python(code: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run('python3', ['-c', code, ...args], { timeout: 30_000 });
  return JSON.parse(stdout);
}

/** Python code: calls from argv[1] on ServerProxy(argv[2]); prints [result or [faultCode, faultString]]. */
const PY_CALLS = `
import json, sys, xmlrpc.client
srv = xmlrpc.client.ServerProxy(sys.argv[2])
out = []
for name, *args in json.loads(sys.argv[1]):
    try:
        fn = srv
        for part in name.split('.'): fn = getattr(fn, part)
        out.append(fn(*args))
    except xmlrpc.client.Fault as f:
        out.append(['fault', f.faultCode, f.faultString])
print(json.dumps(out))
`;

const pyCalls = async (url: string, calls: unknown[][]): Promise<unknown[]> => (await python(PY_CALLS, JSON.stringify(calls), url)) as unknown[];

const faultCodeOf = (text: string): number => Number(/<name>faultCode<\/name><value><int>(-?\d+)<\/int>/.exec(text)?.[1]);

forEachBackend(
  (ctx) => {
    const endpoint = () => `${ctx().url}/xmlrpc`;

    it("examples/test_xmlrpc.py: set('tuna-boy') returns the key, get returns {key, value}, then an empty queue is fault 404", async () => {
      const q = qname();
      const { stdout } = await run('python3', [EXAMPLE, endpoint(), q], { timeout: 30_000 });
      assert.equal(stdout, `set: ${q}:1\nget: {'key': '${q}:1', 'value': 'tuna-boy'}\nempty: fault 404 QUEUE_EMPTY: queue is empty\n`);
    });

    it('Python: what XML-RPC sets is what REST reads, and back', async () => {
      const q = qname();
      const value = 'héllo <&> "wörld" 🐟';
      const [key] = await pyCalls(endpoint(), [['set', q, value]]);
      const got = await req(ctx().url, 'GET', `/q/${q}`);
      assert.deepEqual(JSON.parse(got.text), { count: 0, key, value });
      await req(ctx().url, 'POST', `/q/${q}`, { form: { value: 'from rest' } });
      assert.deepEqual(await pyCalls(endpoint(), [['get', q]]), [{ key: `${q}:2`, value: 'from rest' }]);
    });

    it('Python: stats, policy and status getters and setters agree with /stats/, /p/ and /control/', async () => {
      const q = qname();
      const out = await pyCalls(endpoint(), [['set', q, 'a'], ['policy', q], ['policy', q, 'roundrobin'], ['status', q, 'stop'], ['status', q], ['stats', q], ['status', q, 'start'], ['policy', q, 'nonsense'], ['status', q, 'pause']]);
      assert.deepEqual(out.slice(0, 5), [`${q}:1`, 'broadcast', 'roundrobin', 'stopped', 'stopped']);
      assert.deepEqual(out[5], { queue: q, len: 1, status: 0, policy: 2, ready: 1, inflight: 0, delayed: 0, dead: 0, consumers: 0, polls: 0 });
      assert.equal(out[6], 'started');
      assert.deepEqual([(out[7] as unknown[])[1], (out[8] as unknown[])[1]], [-32602, -32602]);
      assert.match((await req(ctx().url, 'GET', `/p/${q}`)).text, /"value": "roundrobin"/);
      assert.match((await req(ctx().url, 'GET', `/control/${q}`)).text, /"status": 1/);
    });

    it('Python: unknown methods, wrong argument types and bad queue names are faults with documented codes', async () => {
      const q = qname();
      const out = (await pyCalls(endpoint(), [['nope'], ['set', q, 5], ['set', q], ['get', q, 'extra'], ['get', 'bad name!'], ['set', q, ''], ['system.methodHelp', 'nope']])) as [string, number, string][];
      assert.deepEqual(out.map((f) => f[1]), [-32601, -32602, -32602, -32602, 400, 400, -32602]);
      assert.match(out[4]![2], /^INVALID_QUEUE_NAME: /);
      assert.match(out[5]![2], /^EMPTY_VALUE: /);
      assert.equal((await req(ctx().url, 'GET', `/stats/${q}`)).text.includes('"len": 0'), true);
    });

    it('Python: introspection and system.multicall (calls run in order: a get sees the set before it)', async () => {
      const q = qname();
      const code = `
import json, sys, xmlrpc.client
srv = xmlrpc.client.ServerProxy(sys.argv[1])
m = xmlrpc.client.MultiCall(srv)
m.set(sys.argv[2], 'one'); m.get(sys.argv[2]); m.get(sys.argv[2]); m.nope()
res = m()
out = [res[0], res[1]]
for i in (2, 3):
    try: res[i]
    except xmlrpc.client.Fault as f: out.append(f.faultCode)
print(json.dumps([out, srv.system.listMethods(), srv.system.methodHelp('get'), srv.system.methodSignature('policy')]))`;
      const [calls, methods, help, signature] = (await python(code, endpoint(), q)) as [unknown[], string[], string, string[][]];
      assert.deepEqual(calls, [`${q}:1`, { key: `${q}:1`, value: 'one' }, 404, -32601]);
      assert.deepEqual(methods, ['get', 'policy', 'set', 'stats', 'status', 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall']);
      assert.match(help, /^get\(queue\)/);
      assert.deepEqual(signature, [['string', 'string'], ['string', 'string', 'string']]);
    });

    it('Node client (@foxglove/xmlrpc): set, get, a fault, and multicall', async () => {
      const q = qname();
      const client = new XmlRpcClient(endpoint());
      assert.equal(await client.methodCall('set', [q, 'from node']), `${q}:1`);
      assert.deepEqual(await client.methodCall('get', [q]), { key: `${q}:1`, value: 'from node' });
      await assert.rejects(client.methodCall('get', [q]), (err: unknown) => err instanceof XmlRpcFault && err.faultCode === 404);
      const multi = await client.multiMethodCall([
        { methodName: 'set', params: [q, 'm'] },
        { methodName: 'stats', params: [q] },
      ]);
      assert.deepEqual(multi[0], `${q}:2`);
      assert.equal((multi[1] as { len: number }).len, 1);
    });

    it('a message XML cannot carry (a control character) is a fault and stays on the queue', async () => {
      const q = qname();
      await req(ctx().url, 'POST', `/q/${q}`, { body: 'a\u0001b', type: 'text/plain' });
      const [fault] = (await pyCalls(endpoint(), [['get', q]])) as [string, number, string][];
      assert.equal(fault![1], -32603);
      assert.equal(JSON.parse((await req(ctx().url, 'GET', `/q/${q}`)).text).value, 'a\u0001b');
    });
  },
  { backends: ['sqlite', 'memory', 'redis'] },
);

describe('XML-RPC: hostile and malformed requests are faults (HTTP 200), never 5xx', () => {
  let broker: TestBroker | undefined;
  before(async () => {
    broker = await startTestBroker('memory');
  });
  after(async () => broker?.close());
  const post = (body: string, type = 'text/xml') => req(broker!.url, 'POST', '/xmlrpc', { body, type });

  it('malformed XML, an empty body, non-UTF-8 bytes and a methodResponse are parse faults (-32700)', async () => {
    for (const body of ['<methodCall><methodName>get', 'garbage', '<?xml version="1.0"?>', '<methodResponse><params/></methodResponse>']) {
      const r = await post(body);
      assert.equal(r.status, 200, body);
      assert.equal(faultCodeOf(r.text), -32700, `${body}: ${r.text}`);
    }
    const bytes = await req(broker!.url, 'POST', '/xmlrpc', { body: Buffer.from([0x3c, 0xff, 0xfe, 0x3e]), type: 'text/xml' });
    assert.equal(faultCodeOf(bytes.text), -32700);
  });

  it('a billion-laughs DOCTYPE and an external entity are refused before parsing', async () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i === 0 ? 'a' : 'b'.repeat(i)};`.repeat(10)}">`).join('')}]><methodCall><methodName>set</methodName><params><param><value><string>q</string></value></param><param><value><string>&bbbbbbbbb;</string></value></param></params></methodCall>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><methodCall><methodName>set</methodName><params><param><value><string>q</string></value></param><param><value><string>&e;</string></value></param></params></methodCall>`;
    for (const body of [lol, xxe]) {
      const r = await post(body);
      assert.equal(r.status, 200);
      assert.equal(faultCodeOf(r.text), -32700, r.text);
      assert.doesNotMatch(r.text, /root:/);
    }
    assert.equal((await req(broker!.url, 'GET', '/q/q')).status, 204, 'nothing was stored');
  });

  it('GET is 405; a non-XML Content-Type is 415', async () => {
    assert.equal((await req(broker!.url, 'GET', '/xmlrpc')).status, 405);
    assert.equal((await post('<methodCall/>', 'image/png')).status, 415);
  });
});

describe('XML-RPC under an ACL: set needs rest:producer, reads rest:consumer, changes admin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-xmlrpc-acl-'));
  let broker: TestBroker | undefined;
  before(async () => {
    const file = join(dir, 'acl.conf');
    writeFileSync(file, '[rest:producer]\nusername = prod\npassword = pp\n\n[rest:consumer]\nusername = cons\npassword = cp\n\n[admin]\nusername = adm\npassword = ap\n');
    broker = await startTestBroker('memory', { flags: { acl: file } });
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const as = (user: string) => broker!.url.replace('http://', `http://${user}@`) + '/xmlrpc';

  it('each call with its own category; a refusal is a fault carrying 401', async () => {
    const q = qname();
    const anon = (await pyCalls(`${broker!.url}/xmlrpc`, [['set', q, 'v']])) as [string, number, string][];
    assert.deepEqual(anon[0]!.slice(0, 2), ['fault', 401]);
    const prod = await pyCalls(as('prod:pp'), [['set', q, 'v'], ['get', q], ['policy', q, 'roundrobin']]);
    assert.equal(prod[0], `${q}:1`);
    assert.deepEqual([(prod[1] as unknown[])[1], (prod[2] as unknown[])[1]], [401, 401]);
    const cons = await pyCalls(as('cons:cp'), [['get', q], ['stats', q], ['set', q, 'w'], ['status', q, 'stop']]);
    assert.deepEqual(cons[0], { key: `${q}:1`, value: 'v' });
    assert.equal((cons[1] as { len: number }).len, 0);
    assert.deepEqual([(cons[2] as unknown[])[1], (cons[3] as unknown[])[1]], [401, 401]);
    assert.deepEqual(await pyCalls(as('adm:ap'), [['policy', q, 'roundrobin']]), ['roundrobin']);
    // Introspection needs nothing.
    assert.equal(((await pyCalls(`${broker!.url}/xmlrpc`, [['system.listMethods']]))[0] as string[]).length, 9);
  });
});
