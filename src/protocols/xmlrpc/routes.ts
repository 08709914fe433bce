/**
 * `POST /xmlrpc`: XML-RPC calls (methods.ts), decoded and encoded by @foxglove/xmlrpc. Every
 * failure is an XML-RPC fault with HTTP 200, never a 5xx (codes in FAULTS and the README):
 * protocol faults use the interoperability codes (-32700 parse, -32601 method, -32602 params);
 * a broker error carries the HTTP status the same error gets on the REST routes (404 for an
 * empty queue, 400 for a bad queue name, 401/403 from the ACL). A DOCTYPE is refused before
 * parsing: no DTD, no entity of any kind is ever expanded.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { XmlRpcValue } from '@foxglove/xmlrpc';
import type { QueueService, TakenMessage } from '../../core/queue-service.js';
import { MAX_BATCH } from '../../core/queue-service.js';
import { toBrokerError } from '../../http/kit/errors.js';
import { envelopeLimit, type BodyLimits } from '../../http/kit/body.js';
import { routes } from '../../http/kit/reply.js';
import { empty, failure, type RouteSchema } from '../../http/kit/schemas.js';
import { replies } from '../replies.js';
import { returnIfUnwritten } from '../undelivered.js';
import { InvalidParams, METHODS, type CallContext } from './methods.js';

export const XMLRPC_PATH = '/xmlrpc';
export const XML_TYPES = ['text/xml', 'application/xml'];

/** The fault codes that are not HTTP statuses (see the module comment). */
export const FAULTS = { PARSE: -32700, INVALID_REQUEST: -32600, NO_METHOD: -32601, INVALID_PARAMS: -32602, INTERNAL: -32603 } as const;

const SCHEMA: RouteSchema = {
  summary: 'XML-RPC: set, get, stats, policy, status, system.listMethods, system.methodHelp, system.methodSignature, system.multicall',
  tags: ['xmlrpc'],
  body: { content: { 'text/xml': { schema: { type: 'string', description: 'an XML-RPC methodCall' } } } },
  response: { 200: empty('an XML-RPC methodResponse: the result, or a fault'), 413: failure('PAYLOAD_TOO_LARGE'), 415: failure('UNSUPPORTED_MEDIA_TYPE') },
};

/** The library is loaded on the first call: it (xmlbuilder2 mostly) adds about a second to a start on a busy machine. */
let library: Promise<typeof import('@foxglove/xmlrpc')> | undefined;
const xmlrpc = () => (library ??= import('@foxglove/xmlrpc'));

/** A fault as the library's serializer reads it (XmlRpcFault's fields). */
class Fault extends Error {
  readonly code: number;
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(faultString);
    this.code = faultCode;
  }
}

/** A DTD (internal or external) is the door to entity bombs and external entities: refused. */
const DTD = /<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;

async function decode(body: unknown): Promise<[string, XmlRpcValue[]]> {
  if (!Buffer.isBuffer(body)) throw new Fault(FAULTS.PARSE, 'the body must be an XML-RPC methodCall');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new Fault(FAULTS.PARSE, 'the body is not valid UTF-8');
  }
  if (DTD.test(text)) throw new Fault(FAULTS.PARSE, 'a DOCTYPE or entity declaration is not accepted');
  try {
    const { Deserializer } = await xmlrpc();
    return await new Deserializer().deserializeMethodCall(text);
  } catch (err) {
    throw new Fault(FAULTS.PARSE, `not an XML-RPC methodCall: ${err instanceof Error ? err.message.split('\n', 1)[0] : 'parse error'}`);
  }
}

/** One call, its ACL check included; any failure becomes a Fault. */
async function call(req: FastifyRequest, ctx: CallContext, name: unknown, args: XmlRpcValue[]): Promise<XmlRpcValue> {
  try {
    const spec = typeof name === 'string' && Object.hasOwn(METHODS, name) ? METHODS[name] : undefined;
    if (!spec) throw new Fault(FAULTS.NO_METHOD, `no method named ${String(name)}`);
    if (spec.command) await req.authorizeCommand?.('xmlrpc', spec.command(args));
    return await spec.run(ctx, args);
  } catch (err) {
    throw asFault(req, err);
  }
}

function asFault(req: FastifyRequest, err: unknown): Fault {
  if (err instanceof Fault) return err;
  if (err instanceof InvalidParams) return new Fault(FAULTS.INVALID_PARAMS, err.message);
  const known = toBrokerError(err);
  if (known) return new Fault(known.status, `${known.code}: ${known.message}`);
  req.log.error({ err }, 'xmlrpc call failed');
  return new Fault(FAULTS.INTERNAL, 'internal error');
}

/** system.multicall: the calls in order (a `get` after a `set` sees it), each [result] or a fault struct. */
async function multicall(req: FastifyRequest, ctx: CallContext, args: XmlRpcValue[]): Promise<XmlRpcValue> {
  const calls = args[0];
  if (args.length !== 1 || !Array.isArray(calls)) throw new Fault(FAULTS.INVALID_PARAMS, 'system.multicall expects one array of {methodName, params}');
  if (calls.length > MAX_BATCH) throw new Fault(FAULTS.INVALID_PARAMS, `system.multicall takes at most ${MAX_BATCH} calls`);
  const results: XmlRpcValue[] = [];
  for (const c of calls) {
    const struct = typeof c === 'object' && c !== null && !Array.isArray(c) && !(c instanceof Date) && !(c instanceof Uint8Array) ? c : undefined;
    const name = struct && Object.hasOwn(struct, 'methodName') ? struct['methodName'] : undefined;
    const params = struct && Object.hasOwn(struct, 'params') ? struct['params'] : [];
    try {
      if (!struct || typeof name !== 'string' || !Array.isArray(params)) throw new Fault(FAULTS.INVALID_REQUEST, 'each call is a struct {methodName: string, params: array}');
      if (name === 'system.multicall') throw new Fault(FAULTS.INVALID_REQUEST, 'system.multicall cannot be nested');
      results.push([await call(req, ctx, name, params)]);
    } catch (err) {
      const f = asFault(req, err);
      results.push({ faultCode: f.faultCode, faultString: f.faultString });
    }
  }
  return results;
}

async function handle(service: QueueService, req: FastifyRequest, reply: FastifyReply): Promise<string> {
  const { serializeFault, serializeMethodResponse } = await xmlrpc();
  const taken: [string, TakenMessage[]][] = [];
  const ctx: CallContext = { service, taken: (queue, messages) => taken.push([queue, messages]) };
  let result: XmlRpcValue;
  try {
    const [name, args] = await decode(req.body);
    result = name === 'system.multicall' ? await multicall(req, ctx, args) : await call(req, ctx, name, args);
  } catch (err) {
    return serializeFault(asFault(req, err));
  }
  if (!representable(result)) {
    // A message XML 1.0 cannot carry (control characters): it goes back, the caller gets a fault.
    for (const [queue, messages] of taken) await service.returnUndelivered(queue, messages);
    return serializeFault(new Fault(FAULTS.INTERNAL, 'the result holds characters XML 1.0 cannot carry (control characters); use the REST or JSON routes'));
  }
  for (const [queue, messages] of taken) returnIfUnwritten(service, queue, messages, req, reply);
  return serializeMethodResponse(result);
}

/** Characters outside XML 1.0's Char production cannot be sent, even escaped. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function representable(v: XmlRpcValue): boolean {
  if (typeof v === 'string') return !NOT_XML_CHAR.test(v);
  if (Array.isArray(v)) return v.every(representable);
  if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) return Object.entries(v).every(([k, x]) => !NOT_XML_CHAR.test(k) && representable(x));
  return true;
}

export function registerXmlRpcRoutes(app: FastifyInstance, service: QueueService, limits: BodyLimits): void {
  // Scoped: the XML body parser serves this route only.
  void app.register(async (scoped) => {
    scoped.addContentTypeParser(XML_TYPES, { parseAs: 'buffer', bodyLimit: envelopeLimit(limits) }, (_req, body, done) => done(null, body));
    routes(scoped, XMLRPC_PATH, {
      POST: { schema: SCHEMA, acl: 'command', handler: async (req, reply) => replies.xmlrpc(await handle(service, req, reply)) },
    });
  });
}
