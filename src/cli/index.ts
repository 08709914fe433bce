/**
 * The `restmq` command: `restmq serve` with the settings of config/settings.ts as flags, and
 * the client, admin and key commands. A bad flag or an unusable store: one line on stderr,
 * exit 1. Plain `restmq` prints the help.
 */
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config/load.js';
import { SETTINGS, envName, type SettingSpec } from '../config/settings.js';
import { isBrokerError } from '../errors.js';
import { registerClientCommands } from './client-commands.js';
import { registerAuthkeyCommands } from './authkey.js';
import { registerRepairIndexCommand } from './repair-index.js';
import { describeLoadError, loadAclFile } from '../auth/acl-watch.js';
import { announceListening, isWorkerProcess, superviseWorkers } from './workers.js';
import { registerQueueCommands } from './queue-commands.js';
import { registerMessageCommands } from './message-commands.js';
import { registerCompletionCommand } from './completion.js';
import { addGlobalOptions } from './global-options.js';
import { packageVersion } from './version.js';

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function fail(message: string): never {
  process.stderr.write(`restmq: ${message}\n`);
  process.exit(1);
}

async function serve(options: Record<string, string | undefined>): Promise<void> {
  const flags: Record<string, string | undefined> = {};
  for (const s of SETTINGS) if (options[camel(s.flag)] !== undefined) flags[s.flag] = options[camel(s.flag)];
  let config;
  try {
    config = loadConfig(flags);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  if (config.acl !== undefined) {
    // A broken ACL file must stop the start: never serve open by accident.
    try {
      loadAclFile(config.acl);
    } catch (err) {
      fail(`cannot load the ACL file ${config.acl}: ${describeLoadError(err)}`);
    }
  }
  const logger = pino({ level: config.logLevel });
  if (config.workers > 1 && !isWorkerProcess()) return superviseWorkers(config.workers, logger);
  try {
    // Loaded here, not at the top: the client commands start in half the time without the broker.
    const { startBroker, stopOnSignals } = await import('../main.js');
    const broker = await startBroker(config, logger);
    stopOnSignals(broker, logger, isWorkerProcess() ? ['SIGTERM'] : ['SIGTERM', 'SIGINT']);
    announceListening();
  } catch (err) {
    if (isBrokerError(err)) fail(err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') fail(`cannot listen on ${config.listen}:${config.port}: ${code}`);
    throw err;
  }
}

export function buildProgram(): Command {
  const program = new Command('restmq')
    .description('RestMQ: a message queue broker that speaks HTTP. Run the broker with `restmq serve`.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showSuggestionAfterError();
  addGlobalOptions(program);
  const serveCmd = program.command('serve').description('run the broker');
  for (const s of SETTINGS) {
    const arg = (s as SettingSpec).type === 'bool' ? '' : ' <value>';
    const def = 'default' in s ? ` (default: ${String(s.default)})` : '';
    serveCmd.addOption(new Option(`--${s.flag}${arg}`, `${s.doc}${def}; env ${envName(s.flag)}`));
  }
  serveCmd.action(serve);
  registerClientCommands(program);
  registerMessageCommands(program);
  registerQueueCommands(program);
  registerAuthkeyCommands(program);
  registerRepairIndexCommand(program);
  registerCompletionCommand(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  const args = argv.slice(2);
  if (args.length === 0) {
    program.outputHelp();
    return;
  }
  // The broker used to run without `serve`: say where its flags went.
  const first = args[0]!;
  const flag = /^--([a-z0-9-]+)/.exec(first)?.[1];
  if (flag !== undefined && !program.options.some((o) => o.long === `--${flag}`) && SETTINGS.some((s) => s.flag === flag)) {
    fail(`${first} is an option of the broker: restmq serve ${args.join(' ')}`);
  }
  await program.parseAsync(argv);
}
