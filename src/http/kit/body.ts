/**
 * How request bodies are read. Every accepted Content-Type is kept as a Buffer (decoded by
 * the route, strictly); each parser has its own size limit so an oversized body is refused
 * (413) from its Content-Length, or as soon as the stream passes the limit, never read whole.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BrokerError } from '../../errors.js';
import { assertQueueName } from '../../core/names.js';
import { decodeUtf8, parseForm, queryOf, type Args } from './args.js';
import { parseMultipart } from './multipart.js';

export const FORM = 'application/x-www-form-urlencoded';
export const MULTIPART = 'multipart/form-data';
/** Raw bodies stored byte for byte on POST /q/<q>. */
export const RAW_TYPES = ['text/plain', 'application/json', 'application/octet-stream'] as const;

export interface BodyLimits {
  /** Largest message value. */
  maxMessageBytes: number;
}

/** Forms are percent-encoded (up to 3 bytes per byte) and JSON arrays carry batches. */
export function envelopeLimit(limits: BodyLimits): number {
  return limits.maxMessageBytes * 3 + 64 * 1024;
}

export function registerBodyParsers(app: FastifyInstance, limits: BodyLimits): void {
  app.removeAllContentTypeParsers();
  const keep = (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => done(null, body);
  app.addContentTypeParser(FORM, { parseAs: 'buffer', bodyLimit: envelopeLimit(limits) }, keep);
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: envelopeLimit(limits) }, keep);
  app.addContentTypeParser(['text/plain', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: limits.maxMessageBytes }, keep);
  // Parsed here (asynchronously) into a Map of fields, which argsOf merges like a form.
  app.addContentTypeParser(MULTIPART, { parseAs: 'buffer', bodyLimit: envelopeLimit(limits) }, (req, body, done) => {
    parseMultipart(req.headers, body as Buffer, limits.maxMessageBytes).then((fields) => done(null, fields), (err: Error) => done(err));
  });
  app.addContentTypeParser('*', (_req, _payload, done) => done(new BrokerError('UNSUPPORTED_MEDIA_TYPE')));
}

/** The media type of a request, lowercased, without parameters. */
export function mediaType(req: FastifyRequest): string {
  const ct = req.headers['content-type'];
  if (!ct) return '';
  const semi = ct.indexOf(';');
  return (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
}

/** Query arguments, then form-body arguments over them. */
export function argsOf(req: FastifyRequest): Args {
  const args = parseForm(queryOf(req.url));
  if (Buffer.isBuffer(req.body) && mediaType(req) === FORM) parseForm(decodeUtf8(req.body), args);
  else if (req.body instanceof Map) for (const [k, v] of req.body as Args) args.set(k, v);
  return args;
}

/** The raw body of a non-form request, as strict UTF-8; undefined when there is none. */
export function rawBody(req: FastifyRequest): string | undefined {
  if (!Buffer.isBuffer(req.body) || req.body.length === 0 || mediaType(req) === FORM) return undefined;
  return decodeUtf8(req.body);
}

/** The `:queue` path parameter, validated (400 before the store is touched). */
export function queueParam(req: FastifyRequest): string {
  return assertQueueName((req.params as { queue: string }).queue);
}
