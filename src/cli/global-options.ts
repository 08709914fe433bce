/**
 * Connection options given before the subcommand (`restmq --url X stats`): the program
 * declares them, and before a command runs their values are handed to it. An option given
 * after the subcommand wins; either beats the environment and the defaults.
 */
import type { Command } from 'commander';

const GLOBALS: [flags: string, description: string][] = [
  ['--url <url>', 'the broker (env RESTMQ_URL, default http://127.0.0.1:8888)'],
  ['--json', 'JSON output'],
  ['--user <name[:password]>', "Basic auth (the ACL file's users; env RESTMQ_AUTH)"],
  ['--password <password>', 'password for --user (env RESTMQ_PASSWORD)'],
  ['--authkey <key>', 'an API key, sent as Bearer (env RESTMQ_AUTHKEY)'],
];

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function addGlobalOptions(program: Command): void {
  // Program options are then read only before the subcommand; after it they are the command's.
  program.enablePositionalOptions();
  for (const [flags, description] of GLOBALS) program.option(flags, description);
  program.hook('preAction', (_program, command) => {
    for (const option of program.options) {
      const name = option.attributeName();
      const value: unknown = program.getOptionValue(name);
      if (value === undefined) continue;
      if (!command.options.some((o) => o.attributeName() === name)) command.error(`error: ${option.long ?? name} does not apply to \`${commandPath(command)}\``);
      if (command.getOptionValueSource(name) !== 'cli') command.setOptionValueWithSource(name, value, 'cli');
    }
  });
}
