/**
 * An upgrade request (WebSocket handshake) that is answered with an ordinary HTTP reply: a
 * bad path, a refusal by a hook (limits, auth), a 404. Node hands such a socket over to the
 * 'upgrade' listener and stops tracking it, and the WebSocket plugin only closes it when its
 * own hook ran; otherwise the socket stays open forever after the reply (one leaked
 * descriptor per request, and a graceful close that never ends). Close it once answered.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Node sets `upgrade` on every request it parses; @types/node does not declare it. */
const isUpgrade = (raw: IncomingMessage): boolean => (raw as IncomingMessage & { upgrade?: boolean }).upgrade === true;

/** Ends the socket of an upgrade request once its HTTP reply has gone out. */
export function closeIfUpgrade(req: FastifyRequest, reply: FastifyReply): void {
  if (!isUpgrade(req.raw)) return;
  const socket = req.raw.socket;
  if (reply.raw.writableFinished) socket.destroy();
  else reply.raw.once('finish', () => socket.destroy());
}

/** Every reply to an upgrade request that was not upgraded closes its socket (an upgrade is hijacked: no onResponse). */
export function closeFailedUpgrades(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => closeIfUpgrade(req, reply));
}
