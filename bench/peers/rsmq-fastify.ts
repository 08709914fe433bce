/**
 * The closest Node/Redis peer: RSMQ (npm `rsmq`, one Lua script or MULTI per operation) behind
 * the thinnest Fastify wrapper, as rest-rsmq does. Run by bench/peers/run.ts as its own process
 * (`node --import tsx bench/peers/rsmq-fastify.ts <redis port>`), on the same private Redis as
 * our broker. Same routes and about the same reply sizes as the broker, so the bench's load
 * generator (bench/http-load.ts) drives both the same way:
 *
 *   POST   /q/:q            body `value=...` (form) → sendMessage, replies `{"key": "<id>"}`
 *   POST   /q/:q?batch=1    JSON array of values: one sendMessage each (the bench's prefill)
 *   GET    /q/:q            popMessage (receive + delete in one step: our plain GET), 204 if empty
 *   GET    /q/:q?lease=<s>  receiveMessage with vt=<s>, replies the envelope with a "receipt"
 *   DELETE /q/:q/:id        deleteMessage (the ack of a lease)
 *
 * Queues are created on first use (RSMQ needs createQueue before send). No logger, no schema:
 * what an RSMQ-over-HTTP service costs at least. Prints `{"msg":"listening","url":...}`.
 */
import Fastify from 'fastify';
import RedisSMQ from 'rsmq';

const redisPort = Number(process.argv[2]);
if (!Number.isInteger(redisPort) || redisPort <= 0) throw new Error('usage: rsmq-fastify.ts <redis port>');

const rsmq = new RedisSMQ({ host: '127.0.0.1', port: redisPort, ns: 'rsmqbench' });
const LEGACY = 'text/html; charset=UTF-8';
const known = new Map<string, Promise<unknown>>();

/** createQueue once per name; "queue exists" (another process made it) counts as created. */
function ensureQueue(qname: string): Promise<unknown> {
  let p = known.get(qname);
  if (!p) {
    p = rsmq.createQueueAsync({ qname, vt: 30, maxsize: -1 }).catch((err: unknown) => {
      if (!(err instanceof Error && err.name === 'queueExists')) {
        known.delete(qname);
        throw err;
      }
    });
    known.set(qname, p);
  }
  return p;
}

interface Message {
  id?: string;
  message?: string;
  rc?: number;
}

function envelope(m: Message, receipt: boolean): string {
  const base = `{"count": ${m.rc ?? 0}, "key": ${JSON.stringify(m.id)}, "value": ${JSON.stringify(m.message)}`;
  return `${base}${receipt ? `, "receipt": ${JSON.stringify(m.id)}` : ''}}\r\n`;
}

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser(['application/x-www-form-urlencoded', 'application/json', 'text/plain'], { parseAs: 'string', bodyLimit: 4 * 1024 * 1024 }, (_req, body, done) =>
  done(null, body),
);

app.post<{ Params: { q: string }; Body: string; Querystring: { batch?: string } }>('/q/:q', async (req, reply) => {
  await ensureQueue(req.params.q);
  if (req.query.batch !== undefined) {
    // Only the bench's prefill uses this: RSMQ has no batch send, so one send per value.
    const values = JSON.parse(req.body) as string[];
    await Promise.all(values.map((message) => rsmq.sendMessageAsync({ qname: req.params.q, message })));
    return reply.type(LEGACY).send(`{"count": ${values.length}}\r\n`);
  }
  const value = new URLSearchParams(req.body ?? '').get('value') ?? req.body ?? '';
  const id = await rsmq.sendMessageAsync({ qname: req.params.q, message: value });
  return reply.type(LEGACY).send(`{"key": ${JSON.stringify(id)}}\r\n`);
});

app.get<{ Params: { q: string }; Querystring: { lease?: string } }>('/q/:q', async (req, reply) => {
  await ensureQueue(req.params.q);
  const lease = req.query.lease === undefined ? undefined : Number(req.query.lease);
  const m = (lease === undefined ? await rsmq.popMessageAsync({ qname: req.params.q }) : await rsmq.receiveMessageAsync({ qname: req.params.q, vt: lease })) as Message;
  if (m.id === undefined) return reply.code(204).send();
  return reply.type(LEGACY).send(envelope(m, lease !== undefined));
});

app.delete<{ Params: { q: string; id: string } }>('/q/:q/:id', async (req, reply) => {
  const n = await rsmq.deleteMessageAsync({ qname: req.params.q, id: req.params.id });
  return reply.code(n === 1 ? 200 : 404).type(LEGACY).send(n === 1 ? '{"deleted": 1}\r\n' : '{"error": "no such message"}\r\n');
});

const stop = () => {
  void app.close().then(() => rsmq.quit(() => process.exit(0)));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(JSON.stringify({ msg: 'listening', url }) + '\n');
