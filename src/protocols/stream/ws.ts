/**
 * WebSocket consumers (`/ws/<q>`): one text frame per envelope, pushed by the distributor;
 * client text frames holding JSON-protocol commands are executed and answered on the socket,
 * any other text is echoed back (as the original did). Pings keep idle sockets alive.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/websocket';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { ConsumerSink, EndReason, Handed } from '../../core/consumer.js';
import type { AttachOptions, Distributor, StreamHandle } from '../../core/distributor.js';
import type { QueueService } from '../../core/queue-service.js';
import { assertQueueName } from '../../core/names.js';
import { argsOf } from '../../http/kit/body.js';
import { streamOptions } from './http-stream.js';
import { BrokerError, isBrokerError } from '../../errors.js';
import type { Message } from '../../wire.js';
import { pyJson, type Json } from '../json-text.js';
import { parseCommand, runCommand } from '../json/commands.js';
import { replies } from '../replies.js';
import { schemaOptions, send } from '../../http/kit/reply.js';
import { args, empty, failure, pathParams, type RouteSchema } from '../../http/kit/schemas.js';
import { endFrame, frame } from './framing.js';
import { Unflushed, unsentBytes } from './unflushed.js';

/** A server frame's header (unmasked): 2 bytes, and the length in 2 or 8 more above 125 bytes. */
const frameHeader = (n: number): number => 2 + (n < 126 ? 0 : n < 65536 ? 2 : 8);

/** Above this many buffered bytes the socket counts as saturated. */
const HIGH_WATER = 256 * 1024;
const frames = new WeakMap<Message, Buffer>();

class WebSocketSink implements ConsumerSink {
  private ended = false;
  private readonly unflushed = new Unflushed();
  /** Runs once a frame is handed to the OS: from then on it is not ours to return. */
  private readonly flushed = () => {
    if (this.socket.readyState === this.socket.OPEN) this.unflushed.trim(this.unsent);
  };

  constructor(private readonly socket: WebSocket) {}

  /** The TCP socket under the WebSocket (ws keeps it as `_socket`). */
  private get raw(): Socket | undefined {
    return (this.socket as unknown as { _socket?: Socket })._socket;
  }

  /** Bytes sent and not yet handed to the OS: in ws's queue and in the TCP socket. */
  private get unsent(): number {
    const raw = this.raw;
    return this.socket.bufferedAmount - (raw?.writableLength ?? 0) + unsentBytes(raw);
  }

  write(batch: readonly Handed[]): boolean {
    // Cork the TCP socket so a batch of frames leaves in as few packets as possible.
    const raw = this.raw;
    raw?.cork();
    for (const h of batch) {
      let f = frames.get(h.message);
      if (f === undefined) frames.set(h.message, (f = Buffer.from(frame('ws', h.message))));
      this.unflushed.add(h, f.length + frameHeader(f.length));
      this.socket.send(f, { binary: false }, this.flushed);
    }
    raw?.uncork();
    this.unflushed.trim(this.unsent);
    return this.socket.bufferedAmount < HIGH_WATER;
  }

  onDrain(listener: () => void): void {
    // ws has no drain event of its own: wait for the TCP socket's, then re-check the level.
    const check = () => {
      if (this.ended) return;
      this.unflushed.trim(this.unsent);
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
      const unsent = this.socket.readyState === this.socket.OPEN ? this.unflushed.take(this.unsent) : this.unflushed.takeAll();
      this.socket.terminate();
      return unsent;
    }
    if (reason === 'deleted') this.socket.send(endFrame('ws'));
    this.socket.close(reason === 'shutdown' ? 1001 : 1000, reason);
    return [];
  }
}

/**
 * The reply to one client frame: a command's result (with the command's `id` echoed, when it
 * has one), an error, or the text itself when it is not a command (echoed, as the original).
 */
async function answer(service: QueueService, queue: string, text: string, authorize: FastifyRequest['authorizeCommand']): Promise<string> {
  let command;
  try {
    command = parseCommand(text);
  } catch {
    return text;
  }
  // On /ws/<q>, a command without a queue is about <q> (`{"cmd": "ack", "receipt": ...}`).
  if (command['queue'] === undefined) command['queue'] = queue;
  const id = command['id'];
  const withId = typeof id === 'string' || typeof id === 'number' ? { id } : {};
  try {
    await authorize?.('ws', command);
    const result = await runCommand(service, command);
    return pyJson(typeof result === 'object' && result !== null && !Array.isArray(result) ? { ...withId, ...result } : result);
  } catch (err) {
    const e = isBrokerError(err) ? err : new BrokerError('INTERNAL');
    return withId.id === undefined ? replies.error(e.code, e.message).body : pyJson({ ...withId, ...(JSON.parse(replies.error(e.code, e.message).body) as Record<string, Json>) });
  }
}

/** Runs and answers a socket's frames one at a time, in the order received (an add, then a take, sees the add). */
class InOrder {
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: WebSocket,
    private readonly reply: (text: string) => Promise<string>,
  ) {}

  push(text: string): void {
    this.last = this.last.then(async () => {
      const out = await this.reply(text).catch(() => replies.error('INTERNAL').body);
      if (this.socket.readyState === this.socket.OPEN) this.socket.send(out);
    });
  }
}

const WS_SCHEMA: RouteSchema = {
  summary: 'Stream the queue over a WebSocket',
  description:
    'Upgrade to a WebSocket: one text frame per message envelope. Text frames sent by the client are JSON protocol commands ' +
    '(the queue defaults to this one), answered on the socket in the order sent, with the command\'s `id` (if any) echoed. ' +
    '`lease=` streams at-least-once, `prefetch=` (default 10) caps the unacknowledged messages held. A bad queue name, lease or prefetch closes the socket with code 1008.',
  tags: ['streaming'],
  params: pathParams(),
  querystring: args(['lease', 'prefetch']),
  response: { 101: empty('switching protocols'), 426: failure('UPGRADE_REQUIRED'), 429: failure('TOO_MANY_STREAMS') },
};

export function registerWebSocketRoute(app: FastifyInstance, streams: Distributor, service: QueueService): void {
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
      let options: AttachOptions;
      try {
        queue = assertQueueName((req.params as { queue: string }).queue);
        options = streamOptions(argsOf(req), req.ip);
      } catch (err) {
        socket.close(1008, (err as Error).message.slice(0, 120));
        return;
      }
      const messages: string[] = [];
      let ready = false;
      const inOrder = new InOrder(socket, (text) => answer(service, queue, text, req.authorizeCommand));
      // Frames may arrive before the consumer is registered: answer them in order after.
      socket.on('message', (data, isBinary) => {
        const text = isBinary ? null : data.toString();
        if (text === null) return;
        if (ready) inOrder.push(text);
        else messages.push(text);
      });
      // Listen before the (asynchronous) registration: a client gone meanwhile must be detached.
      const state: { handle?: StreamHandle } = {};
      socket.once('close', () => state.handle?.detach('client'));
      const sink = new WebSocketSink(socket);
      const handle = (state.handle = await streams.attach(queue, 'ws', sink, options));
      if (socket.readyState !== socket.OPEN) {
        handle.detach('client');
        return;
      }
      ready = true;
      for (const text of messages) inOrder.push(text);
      req.log.info({ queue, transport: 'ws', consumer: handle.info.id }, 'stream opened');
    },
  });
}
