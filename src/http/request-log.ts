/**
 * What the broker logs about requests. By default only failed requests (at warn): a broker
 * that moves tens of thousands of messages a second would otherwise spend a good share of its
 * CPU writing one line per message. `--access-log` adds one line per request, at info, when it
 * ends. Either way the path only: a query string may carry message values.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export class RequestLog extends LogController {
  constructor(private readonly everyRequest: boolean) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    if (!error && !this.everyRequest) return;
    const path = req.url.split('?', 1)[0];
    const line = { method: req.method, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 };
    if (error) req.log.warn({ ...line, err: error }, 'request failed');
    else req.log.info(line, 'request');
  }
}
