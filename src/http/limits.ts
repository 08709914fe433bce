/**
 * The network edge: TLS, header and URL limits, slow clients, streams and long polls per address.
 * serverOptions() configures Node's server (parse-time limits and timeouts); installLimits() adds
 * the onRequest hook for the limits that need the request (URL length, header bytes, counts).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ServerOptions as HttpServerOptions } from 'node:http';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { ConfigError, type Config } from '../config/load.js';
import type { ErrorCode } from '../errors.js';
import { replies } from '../protocols/replies.js';
import { queryOf } from './kit/args.js';
import { answerClientError } from './client-errors.js';
import { PerAddress } from './per-address.js';
import { closeQuietSocketsOnShutdown } from './quiet-sockets.js';
import { send } from './kit/reply.js';

/** Room for the request line around the URL ("GET ", " HTTP/1.1\r\n") and the blank line. */
const REQUEST_LINE_SLACK = 64;
/** How often Node checks for clients too slow with their headers or body (its default is 30 s). */
const TIMEOUT_CHECK_MS = 1000;
/** The whole request (headers and body) gets this many times the headers timeout: 60 s by default. */
export const REQUEST_TIMEOUT_FACTOR = 6;

/** Routes whose response stays open: the queue streams and the dashboard's live feed (SSE). */
const STREAM_ROUTES = new Set(['/c/:queue', '/sse/:queue', '/ws/:queue', '/dashboard/api/events']);

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`cannot read --${flag} file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** The certificate and key, checked now so a bad pair is a one-line start failure. */
function loadTls(certPath: string, keyPath: string): { cert: Buffer; key: Buffer } {
  const tls = { cert: readPem('tls-cert', certPath), key: readPem('tls-key', keyPath) };
  try {
    createSecureContext(tls);
  } catch (err) {
    throw new ConfigError(`--tls-cert/--tls-key: not a PEM certificate and its private key (${(err as Error).message})`);
  }
  return tls;
}

/** proxy-addr's names for address groups, accepted by --trust-proxy as by Fastify. */
const PROXY_GROUPS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Each --trust-proxy entry must be an address, a CIDR block or a group name: said in one line at start. */
function checkTrustProxy(list: string): void {
  for (const entry of list.split(',').map((e) => e.trim())) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (PROXY_GROUPS.has(entry) || (family !== 0 && bitsOk && extra === undefined)) continue;
    throw new ConfigError(`--trust-proxy: ${JSON.stringify(entry)} is not an IP address, a CIDR block or one of ${[...PROXY_GROUPS].join(', ')}`);
  }
}

type EdgeOptions = Partial<FastifyServerOptions> & { http?: HttpServerOptions; https?: HttpsServerOptions };

export function serverOptions(config: Readonly<Config>): EdgeOptions {
  if (config.trustProxy !== undefined) checkTrustProxy(config.trustProxy);
  const headersTimeout = config.headersTimeoutSeconds * 1000;
  const requestTimeout = headersTimeout * REQUEST_TIMEOUT_FACTOR;
  const node: HttpServerOptions = {
    // Node's limit covers the request line too; the split into URL and header bytes is
    // checked per request in installLimits, so each gets its own status.
    maxHeaderSize: config.maxUrlBytes + config.maxHeaderBytes + REQUEST_LINE_SLACK,
    headersTimeout,
    // Node refuses a headers timeout above the request timeout at creation: pass both.
    requestTimeout,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, headersTimeout),
  };
  return {
    // Fastify sets the server's requestTimeout from this one, after creating it.
    requestTimeout,
    clientErrorHandler: answerClientError,
    // A TLS handshake gets the same time as the headers would.
    ...(config.tlsCert && config.tlsKey ? { https: { ...node, handshakeTimeout: headersTimeout, ...loadTls(config.tlsCert, config.tlsKey) } } : { http: node }),
  };
}

/** Header block size as sent: "name: value\r\n" per header (raw headers are latin1, 1 char = 1 byte). */
function headerBytes(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i + 1 < raw.length; i += 2) n += raw[i]!.length + raw[i + 1]!.length + 4;
  return n;
}

/** A GET with wait=<n> (n > 0) in its query: it may hold a connection for up to a minute. */
function isLongPoll(req: FastifyRequest): boolean {
  if (req.method !== 'GET') return false;
  const wait = new URLSearchParams(queryOf(req.url)).getAll('wait').at(-1);
  return wait !== undefined && Number(wait) > 0;
}

function refuse(reply: FastifyReply, code: ErrorCode): FastifyReply {
  return send(reply, replies.error(code));
}

/** The settings the per-request limits read. */
export type LimitSettings = Pick<Config, 'maxUrlBytes' | 'maxHeaderBytes' | 'maxStreamsPerIp' | 'maxLongPollsPerIp' | 'tlsCert' | 'headersTimeoutSeconds'>;

export function installLimits(app: FastifyInstance, config: Readonly<LimitSettings>): void {
  const streams = new PerAddress(config.maxStreamsPerIp);
  const longPolls = new PerAddress(config.maxLongPollsPerIp);
  closeQuietSocketsOnShutdown(app, { tls: config.tlsCert !== undefined, graceMs: config.headersTimeoutSeconds * 1000 });
  app.addHook('onRequest', async (req, reply) => {
    // Node hands the request line over as latin1: one character per byte received.
    if ((req.raw.url ?? '').length > config.maxUrlBytes) return refuse(reply, 'URI_TOO_LONG');
    if (headerBytes(req.raw.rawHeaders) > config.maxHeaderBytes) return refuse(reply, 'HEADERS_TOO_LARGE');
    const isStream = req.method === 'GET' && STREAM_ROUTES.has(req.routeOptions.url ?? '');
    const counter = isStream ? streams : isLongPoll(req) ? longPolls : undefined;
    if (!counter) return;
    const release = counter.acquire(req.ip);
    if (!release) return refuse(reply, isStream ? 'TOO_MANY_STREAMS' : 'TOO_MANY_LONG_POLLS');
    // The response closes when the stream or poll ends, or the client goes (a WebSocket's
    // stand-in response closes with its socket).
    reply.raw.once('close', release);
    // If the socket closed before the listener was added, its close (which closes the response) has passed.
    if (req.raw.socket?.destroyed) release();
  });
}

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  return a === 'localhost' || a === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(a);
}

/** The start-up warning for a broker others can reach with nothing guarding it, if that is the case. */
export function exposureWarning(config: Readonly<Config>): string | undefined {
  if (isLoopback(config.listen) || config.acl !== undefined) return undefined;
  return `listening on ${config.listen}, a non-loopback address, without --acl: anyone who can reach this port can read, write and purge every queue`;
}
