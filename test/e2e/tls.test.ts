/**
 * --tls-cert/--tls-key: the broker serves HTTPS and WSS itself. A self-signed certificate for
 * 127.0.0.1 is made with openssl at test time; clients trust it as their CA (no verification is
 * switched off). Bad files are a one-line start failure.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { runCli, useTestBroker } from '../harness/broker.js';
import { qname, type Res } from './backends.js';

const dir = mkdtempSync(join(tmpdir(), 'restmq-tls-'));
const certPath = join(dir, 'cert.pem');
const keyPath = join(dir, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
  '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
const ca = readFileSync(certPath);
after(() => rmSync(dir, { recursive: true, force: true }));

function httpsReq(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const r = https.request(url, { method, ca, agent: false, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: new Headers(res.headers as Record<string, string>), text }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

describe('TLS', () => {
  const broker = useTestBroker('sqlite', { flags: { 'tls-cert': certPath, 'tls-key': keyPath } });
  const url = () => broker().url;

  it('the broker URL is https', () => {
    assert.match(url(), /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('POST and GET over HTTPS, with the certificate verified', async () => {
    const q = qname();
    const posted = await httpsReq(`${url()}/q/${q}`, 'POST', 'value=over%20tls');
    assert.equal(posted.status, 200, posted.text);
    const got = await httpsReq(`${url()}/q/${q}`, 'GET');
    assert.equal(got.status, 200, got.text);
    assert.equal((JSON.parse(got.text) as { value: string }).value, 'over tls');
  });

  it('a client that does not trust the certificate is refused by its own TLS check', async () => {
    await assert.rejects(
      new Promise((resolve, reject) => https.get(`${url()}/health`, { agent: false }, resolve).on('error', reject)),
      (err: NodeJS.ErrnoException) => /SELF_SIGNED|CERT/.test(err.code ?? ''),
    );
  });

  it('plain HTTP on the TLS port gets no HTTP answer', async () => {
    const plain = url().replace(/^https:/, 'http:');
    await assert.rejects(fetch(`${plain}/health`), 'fetch over plain HTTP must fail');
  });

  it('the header limits apply over TLS too: far over, Node refuses and the answer is the JSON 431', async () => {
    const r = await httpsReq(`${url()}/q/${qname()}`, 'GET', undefined, { 'x-pad': 'h'.repeat(30_000) });
    assert.equal(r.status, 431, r.text);
    assert.equal((JSON.parse(r.text) as { code: string }).code, 'HEADERS_TOO_LARGE');
  });

  it('a WSS stream receives what is posted over HTTPS', async () => {
    const q = qname();
    const ws = new WebSocket(`${url().replace(/^https/, 'wss')}/ws/${q}`, { ca });
    const first = new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(data.toString()));
      ws.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    try {
      // Posted before or after the consumer registers, the message is pushed to it.
      const posted = await httpsReq(`${url()}/q/${q}`, 'POST', 'value=pushed');
      assert.equal(posted.status, 200, posted.text);
      const frame = JSON.parse(await first) as { value: string };
      assert.equal(frame.value, 'pushed');
    } finally {
      ws.close();
    }
  });
});

describe('TLS start failures', () => {
  it('a missing certificate file: one line, exit 1', async () => {
    const r = await runCli(['serve', '--port', '0', '--store', 'memory', '--tls-cert', join(tmpdir(), 'no-such-cert.pem'), '--tls-key', join(tmpdir(), 'no-such-key.pem')]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr, /^restmq: cannot read --tls-cert file .*no-such-cert\.pem: ENOENT/);
  });

  it('a file that is not a PEM certificate: one line, exit 1', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'restmq-tls-bad-'));
    try {
      writeFileSync(join(bad, 'cert.pem'), 'not a certificate\n');
      const r = await runCli(['serve', '--port', '0', '--store', 'memory', '--tls-cert', join(bad, 'cert.pem'), '--tls-key', keyPath]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr, /^restmq: --tls-cert\/--tls-key: not a PEM certificate and its private key/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('one of the two flags alone is refused', async () => {
    const r = await runCli(['serve', '--port', '0', '--store', 'memory', '--tls-cert', certPath]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /tls-cert and tls-key go together/);
  });
});
