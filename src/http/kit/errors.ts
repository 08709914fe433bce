/**
 * The one error handler: a BrokerError becomes its status and `{"error", "code"}`; Fastify's
 * own client errors (body too large, bad media type...) map to the catalogue; anything else
 * is logged with its stack and answered as a generic 500.
 */
import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { BrokerError, isBrokerError, type ErrorCode } from '../../errors.js';
import { replies } from '../../protocols/replies.js';
import { send } from './reply.js';
import { errorFor } from './schemas.js';

const FASTIFY_CODES: Record<number, ErrorCode> = {
  400: 'INVALID_ENCODING',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

export function toBrokerError(err: unknown): BrokerError | undefined {
  if (isBrokerError(err)) return err;
  const status = (err as FastifyError | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new BrokerError(FASTIFY_CODES[status] ?? 'INVALID_ENCODING');
  return undefined;
}

/**
 * A request the route schema refused: the catalogue error of the first argument at fault,
 * as the handler would have raised it (e.g. params.queue → INVALID_QUEUE_NAME, ttl → INVALID_TTL).
 */
export function schemaError(errors: FastifySchemaValidationError[], part: string): BrokerError {
  const first = errors[0];
  const missing = first?.params['missingProperty'];
  const name = typeof missing === 'string' ? missing : first?.instancePath.split('/')[1];
  const { code, message } = errorFor(part, name);
  return new BrokerError(code, message);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setSchemaErrorFormatter(schemaError);
  app.setErrorHandler((err, req, reply) => {
    const known = toBrokerError(err);
    if (known) {
      if (known.status >= 500) req.log.warn({ code: known.code, cause: known.cause }, known.message);
      return send(reply, replies.error(known.code, known.message));
    }
    req.log.error({ err }, 'unhandled error');
    return send(reply, replies.error('INTERNAL'));
  });
  app.setNotFoundHandler((_req, reply) => send(reply, replies.error('NOT_FOUND')));
}
