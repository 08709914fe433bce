/**
 * Shutdown must not wait for clients that never finish a request. Node stops its header and
 * request timeouts when the server closes, and keeps waiting for every open connection: one
 * client that connected and sent nothing (or half its headers) held a graceful stop for ever.
 * At close, connections with no request in progress are closed at once (a second to flush);
 * a request in progress gets `graceMs` to finish.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** True while a response on this socket is still being produced (Node keeps it on the socket, unexported). */
function requestInProgress(socket: Socket): boolean {
  const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return current !== null && current !== undefined && !current.writableFinished;
}

/** How long a closed-at-shutdown socket may take to flush what was written to it. */
const FLUSH_MS = 1000;

export function closeQuietSocketsOnShutdown(app: FastifyInstance, opts: { tls: boolean; graceMs: number }): void {
  const open = new Set<Socket>();
  // Over TLS the HTTP layer works on the TLS socket; a handshake that never ends is the TLS
  // server's handshakeTimeout's business.
  app.server.on(opts.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  // WebSockets are closed by their plugin, with a close frame: not ours to cut.
  app.server.on('upgrade', (_req: unknown, socket: Socket) => open.delete(socket));
  app.addHook('preClose', (done) => {
    for (const socket of open) {
      if (requestInProgress(socket)) {
        setTimeout(() => socket.destroy(), opts.graceMs).unref();
      } else {
        socket.end();
        setTimeout(() => socket.destroy(), FLUSH_MS).unref();
      }
    }
    done();
  });
}
