/**
 * Errors Node's HTTP parser raises before a request reaches Fastify (headers over the size limit,
 * clients too slow to send their headers or body, malformed HTTP): answered with the catalogue's
 * JSON body instead of Node's bare status line, then the connection is closed.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { replies, type Reply } from '../protocols/replies.js';

/** The error for a parser/timeout failure code (Node's ERR_* or llhttp's HPE_*). */
export function clientErrorReply(code: string | undefined): Reply {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return replies.error('REQUEST_TIMEOUT');
  if (code === 'HPE_HEADER_OVERFLOW') return replies.error('HEADERS_TOO_LARGE');
  return replies.error('INVALID_ENCODING', 'the request is not valid HTTP/1.1');
}

function rawResponse(r: Reply): Buffer {
  const body = Buffer.from(r.body);
  const head = [`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}`, `Content-Type: ${r.type ?? 'application/json'}`, `Content-Length: ${body.length}`, 'Connection: close'];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** True when a response on this socket already sent its status line: nothing more may be written. */
function responseStarted(socket: Socket): boolean {
  // Node keeps the in-flight response on the socket; it has no public accessor.
  const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return current?.headersSent === true;
}

/** Fastify's clientErrorHandler: `this` is the Fastify instance. */
export function answerClientError(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset or destroyed socket has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.debug({ code: err.code }, 'client cut off');
  if (!socket.writable || responseStarted(socket)) {
    socket.destroy();
    return;
  }
  socket.end(rawResponse(clientErrorReply(err.code)), () => socket.destroy());
  // A client that reads nothing must not keep the socket open either.
  setTimeout(() => socket.destroy(), 5000).unref();
}
