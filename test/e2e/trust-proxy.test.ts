/**
 * --trust-proxy <addresses/CIDRs>: X-Forwarded-For names the client only when the peer is a
 * trusted proxy. The broker listens on 127.0.0.1; requests come from 127.0.0.1 (the trusted
 * proxy) or 127.0.0.2 (an untrusted peer, via localAddress). The client address is observed
 * through what depends on it: the per-address stream limit (1 here) and the dashboard's list of
 * consumers.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { runCli, startTestBroker, type TestBroker } from '../harness/broker.js';
import { qname, req } from './backends.js';

interface Stream {
  status: number;
  close(): void;
}

/** Opens an SSE stream from `localAddress` with an X-Forwarded-For header; resolves on the status line. */
function openStream(base: string, queue: string, localAddress: string, forwardedFor?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) };
    const r = http.get(`${base}/sse/${queue}`, { headers, localAddress, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, close: () => r.destroy() });
    });
    r.on('error', reject);
  });
}

/** The client addresses the dashboard lists for `queue`'s consumers. */
async function consumerAddresses(base: string, queue: string): Promise<string> {
  const r = await req(base, 'GET', '/dashboard/api/consumers');
  assert.equal(r.status, 200, r.text);
  // Only this queue's rows: each test has its own queue, so other tests' addresses are not seen.
  const rows = (JSON.parse(r.text) as unknown[]).filter((row) => JSON.stringify(row).includes(queue));
  return JSON.stringify(rows);
}

function withBroker(flags: Record<string, string>, suite: (url: () => string) => void): void {
  let broker: TestBroker | undefined;
  before(async () => {
    broker = await startTestBroker('memory', { flags: { 'max-streams-per-ip': '1', ...flags } });
  });
  after(async () => {
    await broker?.close();
  });
  suite(() => {
    assert.ok(broker, 'broker not started');
    return broker.url;
  });
}

describe('--trust-proxy 127.0.0.1,10.0.0.0/8', () => {
  withBroker({ 'trust-proxy': '127.0.0.1, 10.0.0.0/8' }, (url) => {
    it('from the trusted proxy, each forwarded client has its own count', async () => {
      const q = qname();
      const open: Stream[] = [];
      try {
        open.push(await openStream(url(), q, '127.0.0.1', '198.51.100.1'));
        open.push(await openStream(url(), q, '127.0.0.1', '198.51.100.2'));
        assert.deepEqual(open.map((s) => s.status), [200, 200], 'two clients behind one proxy: one stream each');
        const again = await openStream(url(), q, '127.0.0.1', '198.51.100.1');
        again.close();
        assert.equal(again.status, 429, 'the same forwarded client a second time');
        const listed = await consumerAddresses(url(), q);
        assert.ok(listed.includes('198.51.100.1') && listed.includes('198.51.100.2'), `the dashboard shows the forwarded addresses: ${listed}`);
        assert.ok(!listed.includes('127.0.0.1'), `not the proxy's: ${listed}`);
      } finally {
        for (const s of open) s.close();
      }
    });

    it('hops inside a trusted CIDR are skipped: the client is the first untrusted address from the right', async () => {
      const q = qname();
      const first = await openStream(url(), q, '127.0.0.1', '198.51.100.3, 10.9.8.7');
      try {
        assert.equal(first.status, 200);
        const same = await openStream(url(), q, '127.0.0.1', '198.51.100.3');
        same.close();
        assert.equal(same.status, 429, 'the same client without the inner proxy hop');
        // A client cannot pose as someone else by prepending an address: the right-most untrusted one counts.
        const spoofed = await openStream(url(), q, '127.0.0.1', '203.0.113.9, 198.51.100.3');
        spoofed.close();
        assert.equal(spoofed.status, 429, 'a spoofed left-most address is not believed');
      } finally {
        first.close();
      }
    });

    it('from an untrusted peer, X-Forwarded-For is ignored: the peer address counts', async () => {
      const q = qname();
      const first = await openStream(url(), q, '127.0.0.2', '198.51.100.4');
      try {
        assert.equal(first.status, 200);
        const second = await openStream(url(), q, '127.0.0.2', '198.51.100.5');
        second.close();
        assert.equal(second.status, 429, 'a different forwarded address from the same untrusted peer');
        const listed = await consumerAddresses(url(), q);
        assert.ok(listed.includes('127.0.0.2') && !listed.includes('198.51.100.4'), `the dashboard shows the peer: ${listed}`);
      } finally {
        first.close();
      }
    });
  });
});

describe('without --trust-proxy', () => {
  withBroker({}, (url) => {
    it('X-Forwarded-For is ignored even from loopback', async () => {
      const q = qname();
      const first = await openStream(url(), q, '127.0.0.1', '198.51.100.6');
      try {
        assert.equal(first.status, 200);
        const second = await openStream(url(), q, '127.0.0.1', '198.51.100.7');
        second.close();
        assert.equal(second.status, 429, 'both count as 127.0.0.1');
      } finally {
        first.close();
      }
    });
  });
});

describe('--trust-proxy values', () => {
  it('an entry that is not an address, CIDR block or group name fails the start in one line', async () => {
    for (const bad of ['10.0.0.0/8,nonsense', '10.0.0.0/33', '10.0.0.1/8/8']) {
      const r = await runCli(['serve', '--port', '0', '--store', 'memory', '--trust-proxy', bad]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr, /^restmq: --trust-proxy: ".*" is not an IP address, a CIDR block or one of loopback, linklocal, uniquelocal/);
    }
  });
});
