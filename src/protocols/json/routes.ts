/** `POST /queue` (the JSON protocol) and `GET /queue` (302 to the protocol's help page). */
import type { FastifyInstance } from 'fastify';
import { BrokerError } from '../../errors.js';
import type { QueueService } from '../../core/queue-service.js';
import { argsOf, rawBody } from '../../http/body.js';
import { routes } from '../../http/reply.js';
import { replies } from '../replies.js';
import { parseCommand, runCommand } from './commands.js';

export const HELP_PATH = '/static/help.html';

export function registerJsonRoutes(app: FastifyInstance, service: QueueService): void {
  routes(app, '/queue', {
    GET: () => replies.redirect(HELP_PATH),
    POST: async (req) => {
      const args = argsOf(req);
      // The original reads the `msg` field, else `body`; we also take a raw JSON body.
      const text = args.get('msg') ?? args.get('body') ?? rawBody(req);
      if (text === undefined) throw new BrokerError('MISSING_ARGUMENT', 'a JSON command is required (form field body or msg, or a JSON body)');
      return replies.command(await runCommand(service, parseCommand(text)));
    },
  });
}
