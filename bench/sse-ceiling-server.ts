/**
 * The push ceiling: a bare Node broadcaster run by the stream bench as its own process
 * (`node --import tsx bench/sse-ceiling-server.ts`). Plain node:http, no store, no framework:
 * what fanning messages out over SSE (or WebSocket) costs on this box, at best.
 *
 *   GET  /sse/:q              an SSE stream (same headers, preamble and event framing as the broker)
 *   GET  /ws/:q               a WebSocket (handshake by `ws`, then raw pre-built frames)
 *   POST /q/:q?batch=1        a JSON array of values, as the broker's batch route; replies the keys
 *
 * Every message gets a key `<q>:<n>` and is framed once (`id: <key>\ndata: {"key", "value"}\n\n`;
 * for WebSocket one text frame per message, as the broker sends). Messages posted in the same
 * tick are coalesced: one setImmediate later, each client gets ONE write holding all of them.
 * No back-pressure handling (the bench's producer bounds what is in flight).
 *
 * Prints one line `{"msg":"listening","url":"http://127.0.0.1:<port>"}` once it listens.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

interface Topic {
  sse: Set<http.ServerResponse>;
  ws: Set<Duplex>;
  next: number;
  sseFrames: string[];
  wsFrames: Buffer[];
  queued: boolean;
}

const topics = new Map<string, Topic>();
const topic = (q: string): Topic => {
  let t = topics.get(q);
  if (!t) topics.set(q, (t = { sse: new Set(), ws: new Set(), next: 0, sseFrames: [], wsFrames: [], queued: false }));
  return t;
};

/** JSON string of a value (the bench's values need no escaping, but be correct anyway). */
const str = (s: string) => JSON.stringify(s);

function wsFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x81, n]) : n < 65536 ? Buffer.from([0x81, 126, n >> 8, n & 0xff]) : Buffer.alloc(10);
  if (n >= 65536) {
    head[0] = 0x81;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

function flush(t: Topic): void {
  t.queued = false;
  if (t.sseFrames.length > 0) {
    const buf = Buffer.from(t.sseFrames.join(''));
    t.sseFrames = [];
    for (const res of t.sse) res.write(buf);
  }
  if (t.wsFrames.length > 0) {
    const buf = t.wsFrames.length === 1 ? t.wsFrames[0]! : Buffer.concat(t.wsFrames);
    t.wsFrames = [];
    for (const s of t.ws) s.write(buf);
  }
}

function publish(q: string, values: unknown[]): string[] {
  const t = topic(q);
  const keys: string[] = [];
  for (const v of values) {
    const key = `${q}:${++t.next}`;
    keys.push(key);
    const env = `{"key": ${str(key)}, "value": ${str(String(v))}}`;
    if (t.sse.size > 0) t.sseFrames.push(`id: ${key}\ndata: ${env}\n\n`);
    if (t.ws.size > 0) t.wsFrames.push(wsFrame(Buffer.from(env)));
  }
  if (!t.queued) {
    t.queued = true;
    setImmediate(() => flush(t));
  }
  return keys;
}

const route = /^\/(sse|ws|q)\/([A-Za-z0-9_.-]{1,128})(\?.*)?$/;

const server = http.createServer((req, res) => {
  const m = route.exec(req.url ?? '');
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  const [, kind, q] = m as unknown as [string, string, string];
  if (req.method === 'GET' && kind === 'sse') {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    res.write(': restmq\nretry: 2000\n\n');
    const t = topic(q);
    t.sse.add(res);
    res.once('close', () => t.sse.delete(res));
    return;
  }
  if (req.method === 'POST' && kind === 'q') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let values: unknown;
      try {
        values = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        values = undefined;
      }
      if (!Array.isArray(values)) {
        res.writeHead(400).end();
        return;
      }
      const keys = publish(q, values);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(keys));
    });
    return;
  }
  res.writeHead(405).end();
});

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  const m = route.exec(req.url ?? '');
  if (!m || m[1] !== 'ws') {
    socket.destroy();
    return;
  }
  const q = m[2]!;
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    // After the handshake, frames are written straight to the TCP socket, pre-built once per message.
    const raw = (ws as unknown as { _socket: Duplex })._socket;
    const t = topic(q);
    t.ws.add(raw);
    raw.once('close', () => t.ws.delete(raw));
  });
});

const stop = () => {
  for (const t of topics.values()) {
    for (const r of t.sse) r.destroy();
    for (const s of t.ws) s.destroy();
  }
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` }) + '\n');
});
