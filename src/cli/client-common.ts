/**
 * What every client command shares: the connection options (`--url`, env RESTMQ_URL, default
 * http://127.0.0.1:8888; `--json`; auth from `--user name:password` / `--password` or
 * `--authkey`), the SDK client they make, number arguments, and the run wrapper that turns a
 * failure into one line on stderr and exit code 1.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { RestMQ, RestMQError, type Auth } from '../../client/index.js';

export interface Common {
  url: string;
  json?: boolean;
  user?: string;
  password?: string;
  authkey?: string;
}

export function seconds(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new InvalidArgumentError('a whole number of seconds');
  return Number(raw);
}

export function count(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new InvalidArgumentError('a whole number, 1 or more');
  return Number(raw);
}

export function withCommon(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', 'the broker').env('RESTMQ_URL').default('http://127.0.0.1:8888'))
    .option('--json', 'JSON output')
    .addOption(new Option('--user <name[:password]>', 'Basic auth, as a user of the ACL file').env('RESTMQ_AUTH'))
    .addOption(new Option('--password <password>', 'password for --user').env('RESTMQ_PASSWORD'))
    .addOption(new Option('--authkey <key>', 'an API key, sent as Bearer').env('RESTMQ_AUTHKEY'));
}

function authOf(o: Common): Auth | undefined {
  if (o.authkey !== undefined) return { apiKey: o.authkey };
  if (o.user === undefined) return undefined;
  const colon = o.user.indexOf(':');
  if (colon >= 0 && o.password === undefined) return { user: o.user.slice(0, colon), password: o.user.slice(colon + 1) };
  return { user: o.user, password: o.password ?? '' };
}

export function client(o: Common): RestMQ {
  const auth = authOf(o);
  return new RestMQ({ url: o.url, ...(auth ? { auth } : {}) });
}

export function out(line: string): void {
  process.stdout.write(line + '\n');
}

/** Runs a command body; a failure is one line on stderr and exit code 1. */
export function run<A extends unknown[]>(body: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    // `restmq tail q | head -1`: a reader that went away ends the command quietly.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(0);
    });
    try {
      const code = await body(...args);
      if (code !== undefined) process.exitCode = code;
    } catch (err) {
      const message = err instanceof RestMQError ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err);
      process.stderr.write(`restmq: ${message}\n`);
      process.exitCode = 1;
    }
  };
}
