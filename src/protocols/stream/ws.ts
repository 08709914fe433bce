/**
 * WebSocket consumers (`/ws/<q>`): one text frame per envelope, pushed by the distributor;
 * client text frames holding JSON-protocol commands are executed and answered on the socket,
 * any other text is echoed back (as the original did). Pings keep idle sockets alive.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { Consumer, ConsumerSink, EndReason, Handed } from '../../core/consumer.js';
import type { QueueService } from '../../core/queue-service.js';
import { assertQueueName, parseLeaseSeconds } from '../../core/names.js';
import { argsOf } from '../../http/kit/body.js';
import type { Streams } from './http-stream.js';
import { BrokerError, isBrokerError } from '../../errors.js';
import type { Message } from '../../wire.js';
import { pyJson } from '../json-text.js';
import { parseCommand, runCommand } from '../json/commands.js';
import { replies } from '../replies.js';
import { schemaOptions, send } from '../../http/kit/reply.js';
import { args, empty, failure, pathParams, type RouteSchema } from '../../http/kit/schemas.js';
import { endFrame, frame } from './framing.js';
import { Unflushed } from './unflushed.js';

/** Above this many buffered bytes the socket counts as saturated. */
const HIGH_WATER = 256 * 1024;
const frames = new WeakMap<Message, Buffer>();

class WebSocketSink implements ConsumerSink {
  private ended = false;
  private readonly unflushed = new Unflushed();
  /** Runs once a frame is handed to the OS: from then on it is not ours to return. */
  private readonly flushed = () => {
    if (this.socket.readyState === this.socket.OPEN) this.unflushed.trim(this.socket.bufferedAmount);
  };

  constructor(private readonly socket: WebSocket) {}

  /** The TCP socket under the WebSocket (ws keeps it as `_socket`). */
  private get raw(): { cork(): void; uncork(): void; once(e: 'drain', l: () => void): void } | undefined {
    return (this.socket as unknown as { _socket?: { cork(): void; uncork(): void; once(e: 'drain', l: () => void): void } })._socket;
  }

  write(batch: readonly Handed[]): boolean {
    // Cork the TCP socket so a batch of frames leaves in as few packets as possible.
    const raw = this.raw;
    raw?.cork();
    for (const h of batch) {
      let f = frames.get(h.message);
      if (f === undefined) frames.set(h.message, (f = Buffer.from(frame('ws', h.message))));
      this.unflushed.add(h, f.length);
      this.socket.send(f, { binary: false }, this.flushed);
    }
    raw?.uncork();
    this.unflushed.trim(this.socket.bufferedAmount);
    return this.socket.bufferedAmount < HIGH_WATER;
  }

  onDrain(listener: () => void): void {
    // ws has no drain event of its own: wait for the TCP socket's, then re-check the level.
    const check = () => {
      if (this.ended) return;
      this.unflushed.trim(this.socket.bufferedAmount);
      if (this.socket.bufferedAmount < HIGH_WATER) listener();
      else if (this.raw) this.raw.once('drain', check);
      else setTimeout(check, 10);
    };
    check();
  }

  heartbeat(): void {
    if (!this.ended) this.socket.ping();
  }

  end(reason: EndReason): Handed[] {
    if (this.ended) return [];
    this.ended = true;
    if (reason === 'overflow' || reason === 'error' || reason === 'client') {
      // Dropped: what is still buffered never reaches the client; once the socket is closed
      // its buffer is gone, so the last trim's view is the one that counts.
      const unsent = this.socket.readyState === this.socket.OPEN ? this.unflushed.take(this.socket.bufferedAmount) : this.unflushed.takeAll();
      this.socket.terminate();
      return unsent;
    }
    if (reason === 'deleted') this.socket.send(endFrame('ws'));
    this.socket.close(reason === 'shutdown' ? 1001 : 1000, reason);
    return [];
  }
}

async function answer(service: QueueService, socket: WebSocket, queue: string, text: string, authorize: FastifyRequest['authorizeCommand']): Promise<void> {
  let command;
  try {
    command = parseCommand(text);
  } catch {
    socket.send(text); // not a command: echo, as the original
    return;
  }
  // On /ws/<q>, a command without a queue is about <q> (`{"cmd": "ack", "receipt": ...}`).
  if (command['queue'] === undefined) command['queue'] = queue;
  try {
    await authorize?.('ws', command);
    socket.send(pyJson(await runCommand(service, command)));
  } catch (err) {
    const e = isBrokerError(err) ? err : new BrokerError('INTERNAL');
    socket.send(replies.error(e.code, e.message).body);
  }
}

const WS_SCHEMA: RouteSchema = {
  summary: 'Stream the queue over a WebSocket',
  description:
    'Upgrade to a WebSocket: one text frame per message envelope. Text frames sent by the client are JSON protocol commands ' +
    '(the queue defaults to this one), answered on the socket. A bad queue name or lease closes the socket with code 1008.',
  tags: ['streaming'],
  params: pathParams(),
  querystring: args(['lease']),
  response: { 101: empty('switching protocols'), 426: failure('UPGRADE_REQUIRED'), 429: failure('TOO_MANY_STREAMS') },
};

export function registerWebSocketRoute(app: FastifyInstance, streams: Streams, service: QueueService): void {
  const documented = schemaOptions(WS_SCHEMA, false);
  app.route({
    method: 'GET',
    url: '/ws/:queue',
    exposeHeadRoute: false,
    // Documented, not validated: a bad name or lease closes the socket (1008) once upgraded.
    ...documented,
    config: { ...documented.config, acl: 'websocket:consumer' },
    handler: async (_req, reply) => send(reply, replies.error('UPGRADE_REQUIRED')),
    wsHandler: async (socket: WebSocket, req: FastifyRequest) => {
      let queue: string;
      let leaseSeconds: number | undefined;
      try {
        queue = assertQueueName((req.params as { queue: string }).queue);
        const lease = argsOf(req).get('lease');
        leaseSeconds = lease === undefined ? undefined : parseLeaseSeconds(lease);
      } catch (err) {
        socket.close(1008, (err as Error).message.slice(0, 120));
        return;
      }
      const messages: string[] = [];
      let ready = false;
      // Frames may arrive before the consumer is registered: answer them in order after.
      socket.on('message', (data, isBinary) => {
        const text = isBinary ? null : data.toString();
        if (text === null) return;
        if (ready) void answer(service, socket, queue, text, req.authorizeCommand);
        else messages.push(text);
      });
      // Listen before the (asynchronous) registration: a client gone meanwhile must be detached.
      const state: { consumer?: Consumer } = {};
      const detach = (c: Consumer) => (leaseSeconds === undefined ? streams.distributor.detach(c, 'client') : streams.leases.detach(c, 'client'));
      socket.once('close', () => state.consumer && detach(state.consumer));
      const sink = new WebSocketSink(socket);
      const consumer = (state.consumer =
        leaseSeconds === undefined ? await streams.distributor.attach(queue, 'ws', sink, req.ip) : streams.leases.attach(queue, 'ws', sink, leaseSeconds * 1000, req.ip));
      if (socket.readyState !== socket.OPEN) {
        detach(consumer);
        return;
      }
      ready = true;
      for (const text of messages) void answer(service, socket, queue, text, req.authorizeCommand);
      req.log.info({ queue, transport: 'ws', consumer: consumer.id }, 'stream opened');
    },
  });
}
