/**
 * The syslog ingest listeners (originals.md A.14, R25 fixed): TCP (RFC 6587 framing,
 * framing.ts) and UDP (one message per datagram, RFC 5426). Each message becomes one queue
 * message (message.ts) in `syslogd.<sender address>`, or, with the original's naming,
 * `syslogd.<local address>` for every sender. A connection's messages are stored in order; a
 * slow store pauses that connection only. Nothing a sender writes can stop another sender's
 * lines: bad PRIs are stored with null fields, oversize lines are cut and counted, errors are
 * counted and logged. Under --acl the `[rest:producer]` host rules decide who may send (a
 * section that wants a password refuses syslog senders: they cannot give one).
 */
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Logger } from 'pino';
import type { QueueService } from '../core/queue-service.js';
import type { BrokerMetrics } from '../metrics/registry.js';
import { AclWatch } from '../auth/acl-watch.js';
import { isLoopback } from '../http/limits.js';
import { decide, sectionFor } from '../auth/acl.js';
import { SyslogFramer } from './framing.js';
import { parseSyslog } from './parse.js';
import { syslogBody, syslogQueue, type QueueNaming } from './message.js';

export interface SyslogOptions {
  tcpPort?: number;
  udpPort?: number;
  listen: string;
  naming: QueueNaming;
  maxLineBytes: number;
  /** The broker's ACL file, for its host rules. */
  acl?: string;
}

export interface SyslogServer {
  /** The bound ports (useful with port 0). */
  tcpPort?: number;
  udpPort?: number;
  close(): Promise<void>;
}

type Transport = 'tcp' | 'udp';
/** A connection pauses above this many unstored messages and resumes below the low mark. */
const HIGH_WATER = 64;
const LOW_WATER = 16;
/** UDP cannot be paused: datagrams beyond this backlog are dropped (and counted). */
const UDP_BACKLOG = 1000;
/** Open TCP connections at once; more are refused by the kernel's accept path (Node closes them). */
const MAX_CONNECTIONS = 1024;

export async function startSyslog(opts: SyslogOptions, deps: { service: QueueService; metrics?: BrokerMetrics; logger: Logger }): Promise<SyslogServer> {
  const { service, metrics, logger } = deps;
  const acl = opts.acl === undefined ? undefined : new AclWatch(opts.acl, logger);
  acl?.start();
  const allowed = (address: string): boolean => !acl || decide(sectionFor(acl.rules, 'rest:producer'), address) === 'allow';
  const decoder = new TextDecoder('utf-8');

  const ingest = async (transport: Transport, frame: Buffer, truncated: boolean, sender: string, local: string): Promise<void> => {
    const text = decoder.decode(frame);
    if (text.trim() === '') return;
    const queue = syslogQueue(opts.naming === 'sender' ? sender : local);
    try {
      await service.add(queue, [syslogBody(text, sender, parseSyslog(text), truncated, Date.now())]);
      metrics?.syslogLine(transport, truncated ? 'truncated' : 'stored');
    } catch (err) {
      metrics?.syslogLine(transport, 'dropped');
      logger.warn({ err, queue, transport }, 'syslog line not stored');
    }
  };

  const sockets = new Set<Socket>();
  /** The last pending store write of each connection (and of UDP): awaited on close. */
  const tails = new Map<object, Promise<void>>();

  const onConnection = (socket: Socket): void => {
    const sender = socket.remoteAddress ?? 'unknown';
    if (!allowed(sender)) {
      metrics?.syslogLine('tcp', 'refused');
      socket.destroy();
      return;
    }
    const local = socket.localAddress ?? opts.listen;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let chain = Promise.resolve();
    let unstored = 0;
    const framer = new SyslogFramer(opts.maxLineBytes, (frame, truncated) => {
      // Copied: the frame is a view of a chunk that the framer may reuse.
      const copy = Buffer.from(frame);
      if (++unstored >= HIGH_WATER) socket.pause();
      chain = chain
        .then(() => ingest('tcp', copy, truncated, sender, local))
        .finally(() => {
          if (--unstored <= LOW_WATER && socket.isPaused()) socket.resume();
        });
      tails.set(socket, chain);
    });
    socket.on('data', (chunk: Buffer) => framer.push(chunk));
    socket.on('end', () => framer.end());
    // Resets and the like: the lines already framed are still stored.
    socket.on('error', () => {});
  };

  const tcp: Server | undefined = opts.tcpPort === undefined ? undefined : createServer(onConnection);
  if (tcp) tcp.maxConnections = MAX_CONNECTIONS;
  if (!isLoopback(opts.listen) && !acl) logger.warn({ listen: opts.listen }, 'syslog listening on a non-loopback address without --acl: anyone who can reach it can write into syslogd.* queues');
  let udp: UdpSocket | undefined;
  try {
    if (tcp) await new Promise<void>((resolve, reject) => tcp.once('error', reject).listen(opts.tcpPort, opts.listen, () => resolve()));
    if (opts.udpPort !== undefined) {
      const socket = (udp = createSocket(isIPv6(opts.listen) ? 'udp6' : 'udp4'));
      let backlog = 0;
      let chain = Promise.resolve();
      socket.on('message', (msg, rinfo) => {
        if (!allowed(rinfo.address)) return metrics?.syslogLine('udp', 'refused');
        if (backlog >= UDP_BACKLOG) return metrics?.syslogLine('udp', 'dropped');
        let end = msg.length;
        while (end > 0 && (msg[end - 1] === 0x0a || msg[end - 1] === 0x0d)) end--;
        const truncated = end > opts.maxLineBytes;
        const frame = msg.subarray(0, Math.min(end, opts.maxLineBytes));
        backlog++;
        chain = chain.then(() => ingest('udp', frame, truncated, rinfo.address, opts.listen)).finally(() => backlog--);
        tails.set(socket, chain);
      });
      socket.on('error', (err) => logger.warn({ err }, 'syslog UDP socket error'));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(opts.udpPort, opts.listen, () => {
          socket.removeListener('error', reject);
          resolve();
        });
      });
    }
  } catch (err) {
    tcp?.close();
    udp?.close();
    acl?.stop();
    throw err;
  }
  const tcpPort = tcp ? (tcp.address() as { port: number }).port : undefined;
  const udpPort = udp ? udp.address().port : undefined;
  logger.info({ tcpPort, udpPort, listen: opts.listen, naming: opts.naming }, 'syslog listening');
  return {
    ...(tcpPort === undefined ? {} : { tcpPort }),
    ...(udpPort === undefined ? {} : { udpPort }),
    close: async () => {
      acl?.stop();
      udp?.close();
      tcp?.close();
      for (const socket of sockets) socket.destroy();
      // Lines already received are stored before the store closes.
      await Promise.allSettled(tails.values());
    },
  };
}
