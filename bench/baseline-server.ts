/**
 * The HTTP ceiling: a bare Fastify 5 server that does no work, run by the bench as its own
 * process (`node --import tsx bench/baseline-server.ts`). Same routes and about the same reply
 * sizes as the broker, no logger, no store: what any Fastify handler on this box costs.
 *
 *   POST /q/:queue  reads the body (form or JSON, kept as a Buffer like the broker's parsers),
 *                   replies `bench:1\r\n`
 *   GET  /q/:queue  replies a constant message envelope with a ~100-byte value
 *
 * Prints one line `{"msg":"listening","url":"http://127.0.0.1:<port>"}` once it listens.
 */
import Fastify from 'fastify';

const VALUE = 'x'.repeat(94);
const ENVELOPE = `{"count": 0, "key": "bench:1", "value": "${VALUE}"}\r\n`;
const LEGACY = 'text/html; charset=UTF-8';

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser(['application/x-www-form-urlencoded', 'application/json'], { parseAs: 'buffer', bodyLimit: 4 * 1024 * 1024 }, (_req, body, done) =>
  done(null, body),
);
app.post('/q/:queue', async (_req, reply) => reply.type(LEGACY).send('bench:1\r\n'));
app.get('/q/:queue', async (_req, reply) => reply.type(LEGACY).send(ENVELOPE));

const stop = () => {
  void app.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

const url = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(JSON.stringify({ msg: 'listening', url }) + '\n');
