/**
 * Server-Sent Events (`GET /sse/<q>`, `?lease=` for leased delivery), parsed here as the
 * response arrives. Over node:http rather than fetch: Node 20 has no EventSource (which could
 * not send auth headers anyway), and undici keeps the TCP connection open after an aborted
 * body, so a closed subscription would linger on the broker; here close() destroys the socket
 * and pause() stops reading, so the reader's pace is the connection's pace.
 */
import http from 'node:http';
import https from 'node:https';
import { RestMQError, errorFromReply } from './errors.js';
import type { HttpClient } from './http.js';
import { SseParser } from './sse-parser.js';
import type { Connect, Connection, StreamSink } from './subscription.js';
import type { Leasing, StreamMessage } from './types.js';

function parseEnvelope(data: string): StreamMessage {
  const m = JSON.parse(data) as StreamMessage;
  if (typeof m.key !== 'string' || typeof m.value !== 'string') throw new RestMQError(`not a message envelope: ${data.slice(0, 200)}`, 200, 'BAD_REPLY');
  return m;
}

export function sseConnect<T>(client: HttpClient, queue: string, leasing: Leasing, wrap: (m: StreamMessage) => T): Connect<T> {
  return (sink: StreamSink<T>, signal: AbortSignal, idleTimeoutMs: number): Promise<Connection> =>
    new Promise((resolveOpen, rejectOpen) => {
      const url = new URL(client.url(`/sse/${encodeURIComponent(queue)}`, { lease: leasing.lease, prefetch: leasing.prefetch }));
      const get = url.protocol === 'https:' ? https.get : http.get;
      let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
      const closed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      closed.catch(() => undefined);
      let closing = false;
      const req = get(url, { headers: { ...client.headers, accept: 'text/event-stream' }, agent: false }, (res) => {
        res.setEncoding('utf8');
        if (res.statusCode !== 200) {
          let body = '';
          res.on('data', (d: string) => (body += d));
          res.on('end', () => rejectOpen(errorFromReply(res.statusCode ?? 0, body)));
          return;
        }
        const parser = new SseParser();
        res.on('data', (chunk: string) => {
          try {
            for (const ev of parser.push(chunk)) {
              if (ev.event === 'end') return sink.deleted();
              if (ev.event === 'message') sink.message(wrap(parseEnvelope(ev.data)));
            }
          } catch (err) {
            settle?.reject(err);
            req.destroy();
            return;
          }
          if (parser.retryMs !== undefined) sink.retry(parser.retryMs);
        });
        res.on('close', () => (closing ? settle?.resolve() : settle?.reject(new RestMQError('the SSE stream ended', 0, 'CONNECTION_FAILED'))));
        resolveOpen({
          closed,
          close: () => {
            closing = true;
            req.destroy();
          },
          // A paused response reads nothing, so it is not idle: the timer waits for the resume.
          pause: () => {
            req.setTimeout(0);
            res.pause();
          },
          resume: () => {
            req.setTimeout(idleTimeoutMs);
            res.resume();
          },
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const e = new RestMQError(`cannot reach ${client.base}: ${err.code ?? err.message}`, 0, 'CONNECTION_FAILED', { cause: err });
        rejectOpen(e);
        settle?.reject(e);
      });
      // No byte for idleTimeoutMs (connecting included): a dead path, replaced by a new connection.
      req.setTimeout(idleTimeoutMs, () => req.destroy(Object.assign(new Error(`no data for ${idleTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
      const onAbort = () => {
        closing = true;
        req.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.once('close', () => signal.removeEventListener('abort', onAbort));
    });
}
