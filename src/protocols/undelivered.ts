/**
 * Taken messages whose reply never reaches the client go back to the front of their queue.
 * A GET deletes what it takes; when the client closes or half-closes its connection while the
 * take is in flight, Node drops the reply, and the message would be lost. Leased messages need
 * no help: their lease runs out. Each keeps the expiry `take` reported: a TTL is not reset.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { QueueService, TakenMessage } from '../core/queue-service.js';

export function returnIfUnwritten(service: QueueService, queue: string, messages: readonly TakenMessage[], req: FastifyRequest, reply: FastifyReply): void {
  // Only a connection already gone when the reply is ready: once the reply is handed to the
  // socket the client may have it, and giving it back then would deliver it twice.
  // (A half-close makes Node end its side of the socket: no longer writable.)
  const socket = req.raw.socket;
  if (socket && socket.writable && !socket.destroyed && !reply.raw.destroyed) return;
  service.returnUndelivered(queue, messages).catch((err: unknown) => req.log.error({ err, queue, count: messages.length }, 'returning undelivered messages failed'));
}
