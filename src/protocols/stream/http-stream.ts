/**
 * COMET (`/c/<q>`) and Server-Sent Events (`/sse/<q>`, or `/c/<q>` with
 * `Accept: text/event-stream`): thin adapters that frame and write; the distributor decides
 * what to send. Headers go out at once (the original sent none before the first message).
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsumerSink, EndReason, Handed } from '../../core/consumer.js';
import type { AttachOptions, Distributor, StreamHandle } from '../../core/distributor.js';
import { assertCallback, assertQueueName, parseLeaseSeconds } from '../../core/names.js';
import { parsePrefetch } from '../../core/lease-streams.js';
import { argsOf } from '../../http/kit/body.js';
import { routes } from '../../http/kit/reply.js';
import { args, failure, pathParams, reply, type RouteSchema } from '../../http/kit/schemas.js';
import { HEARTBEAT, SSE_PREAMBLE, endFrame, frame } from './framing.js';
import { Unflushed, chunkOverhead, unsentBytes } from './unflushed.js';
import type { Message } from '../../wire.js';

type HttpFormat = 'comet' | 'sse';

/** Frames are shared by every consumer of a broadcast: frame each message once per format. */
const frameCache = { comet: new WeakMap<Message, Buffer>(), sse: new WeakMap<Message, Buffer>() };

function framed(format: HttpFormat, m: Message, callback: string | undefined): Buffer {
  if (callback !== undefined) return Buffer.from(frame(format, m, callback));
  let f = frameCache[format].get(m);
  if (f === undefined) frameCache[format].set(m, (f = Buffer.from(frame(format, m))));
  return f;
}

class HttpStreamSink implements ConsumerSink {
  private ended = false;
  private readonly unflushed = new Unflushed();
  private readonly flushed = () => {
    if (!this.res.destroyed) this.unflushed.trim(this.unsent);
  };

  constructor(
    private readonly res: ServerResponse,
    private readonly format: HttpFormat,
    private readonly callback: string | undefined,
  ) {}

  write(batch: readonly Handed[]): boolean {
    const frames = batch.map((h) => framed(this.format, h.message, this.callback));
    // COMET: one chunk per message; SSE: one chunk per batch (its header counted with the first
    // message, its trailer with the last).
    const chunked = this.res.chunkedEncoding;
    const perMessage = this.format === 'comet';
    const whole = perMessage ? 0 : frames.reduce((n, f) => n + f.length, 0);
    frames.forEach((f, i) => {
      let bytes = f.length;
      if (chunked && perMessage) bytes += chunkOverhead(f.length);
      else if (chunked) bytes += (i === 0 ? chunkOverhead(whole) - 2 : 0) + (i === frames.length - 1 ? 2 : 0);
      this.unflushed.add(batch[i]!, bytes);
    });
    // The callback runs once the chunk is handed to the OS: from then on it is not ours to return.
    let ok = true;
    if (perMessage && frames.length > 1) {
      // One HTTP chunk per message, as the original: its clients parse each chunk as one JSON.
      // Corked, the chunks still leave in one socket write.
      this.res.cork();
      frames.forEach((f, i) => (ok = this.res.write(f, i === frames.length - 1 ? this.flushed : undefined) && ok));
      this.res.uncork();
    } else ok = this.res.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames), this.flushed);
    this.unflushed.trim(this.unsent);
    return ok;
  }

  /** Bytes written and not yet handed to the OS: before the socket (if any) and in it. */
  private get unsent(): number {
    const socket = this.res.socket;
    return this.res.writableLength - (socket?.writableLength ?? 0) + unsentBytes(socket);
  }

  onDrain(listener: () => void): void {
    this.res.once('drain', () => {
      this.unflushed.trim(this.unsent);
      listener();
    });
  }

  heartbeat(): void {
    if (!this.ended) this.res.write(HEARTBEAT[this.format]);
  }

  end(reason: EndReason): Handed[] {
    if (this.ended) return [];
    this.ended = true;
    if (reason === 'overflow' || reason === 'error' || reason === 'client') {
      // Dropped: what is still in our write buffer never reaches the client (what the kernel
      // has does). Once the socket is destroyed Node has already discarded that buffer
      // (writableLength reads 0), so the last trim's view is the one that counts.
      const unsent = this.res.destroyed ? this.unflushed.takeAll() : this.unflushed.take(this.unsent);
      this.res.destroy();
      return unsent;
    }
    if (reason === 'deleted') this.res.write(endFrame(this.format, this.callback));
    this.res.end();
    return [];
  }
}

function wantsSse(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

/** `lease=<s>` and `prefetch=<n>` of a stream request (prefetch only counts with a lease). */
export function streamOptions(args: Map<string, string>, remote: string): AttachOptions {
  const lease = args.get('lease');
  if (lease === undefined) return { remote };
  return { remote, leaseMs: parseLeaseSeconds(lease) * 1000, prefetch: parsePrefetch(args.get('prefetch')) };
}

async function openStream(streams: Distributor, req: FastifyRequest, reply: FastifyReply, format: HttpFormat): Promise<void> {
  const queue = assertQueueName((req.params as { queue: string }).queue);
  const args = argsOf(req);
  const callback = format === 'comet' ? assertCallback(args.get('callback')) : undefined;
  const options = streamOptions(args, req.ip);
  const res = reply.raw;
  const sink = new HttpStreamSink(res, format, callback);
  // Listen before the (asynchronous) registration: a client gone meanwhile must be detached.
  const state: { gone: boolean; handle?: StreamHandle } = { gone: false };
  res.once('close', () => {
    state.gone = true;
    if (!state.handle) return;
    state.handle.detach('client');
    req.log.info({ queue, transport: format, consumer: state.handle.info.id }, 'stream closed');
  });
  const handle = (state.handle = await streams.attach(queue, format, sink, options));
  if (state.gone) {
    handle.detach('client');
    return;
  }
  reply.hijack();
  res.writeHead(200, {
    'content-type': format === 'sse' ? 'text/event-stream; charset=utf-8' : 'text/plain; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  if (format === 'sse') res.write(SSE_PREAMBLE);
  else res.flushHeaders();
  req.log.info({ queue, transport: format, consumer: handle.info.id }, 'stream opened');
}

const streamErrors = { 400: failure('INVALID_QUEUE_NAME', 'INVALID_CALLBACK', 'INVALID_LEASE', 'INVALID_PREFETCH'), 429: failure('TOO_MANY_STREAMS') };
const sse = reply('an event stream: one `data:` event per message envelope, comments as heartbeats', 'text/event-stream');
const STREAM_SCHEMAS = {
  comet: {
    summary: 'Stream the queue (COMET; Server-Sent Events with Accept: text/event-stream)',
    description:
      'Every message as it arrives, one envelope per line (`callback(...);` with `callback`). `lease=` streams at-least-once: acknowledge each receipt; ' +
      '`prefetch=` (default 10) caps the unacknowledged messages this consumer holds.',
    tags: ['streaming'],
    params: pathParams(),
    // Only a COMET stream reads callback (an SSE one ignores it): checked by the handler.
    querystring: args(['callback', 'lease', 'prefetch'], ['callback']),
    response: { 200: { description: 'a long-lived stream', content: { 'text/plain': { schema: { type: 'string' } }, 'text/event-stream': { schema: { type: 'string' } } } }, ...streamErrors },
  },
  sse: {
    summary: 'Stream the queue as Server-Sent Events',
    description: '`lease=` streams at-least-once: acknowledge each receipt; `prefetch=` (default 10) caps the unacknowledged messages this consumer holds.',
    tags: ['streaming'],
    params: pathParams(),
    querystring: args(['lease', 'prefetch']),
    response: { 200: sse, ...streamErrors },
  },
} satisfies Record<string, RouteSchema>;

export function registerHttpStreamRoutes(app: FastifyInstance, streams: Distributor): void {
  const stream = (format: HttpFormat | 'auto') => async (req: FastifyRequest, reply: FastifyReply) => {
    await openStream(streams, req, reply, format === 'auto' ? (wantsSse(req) ? 'sse' : 'comet') : format);
    return undefined;
  };
  routes(app, '/c/:queue', { GET: { schema: STREAM_SCHEMAS.comet, acl: 'comet:consumer', handler: stream('auto') } });
  routes(app, '/sse/:queue', { GET: { schema: STREAM_SCHEMAS.sse, acl: 'sse:consumer', handler: stream('sse') } });
}
