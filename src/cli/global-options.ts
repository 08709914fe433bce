/**
 * Connection options given before the subcommand (`restmq --url X stats`): the program
 * declares the client commands' connection options, and before a command runs their values are
 * handed to it. An option given after the subcommand wins; either beats the environment and
 * the defaults.
 */
import { Command, Option } from 'commander';
import { withCommon } from './client-common.js';

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The client option's description with its environment variable and default, which the program's copy does not carry. */
function describe(o: Option): string {
  const notes = [o.envVar && `env ${o.envVar}`, o.defaultValue !== undefined && `default ${String(o.defaultValue)}`].filter(Boolean);
  return notes.length > 0 ? `${o.description} (${notes.join(', ')})` : o.description;
}

export function addGlobalOptions(program: Command): void {
  // Program options are then read only before the subcommand; after it they are the command's.
  program.enablePositionalOptions();
  const globals = withCommon(new Command()).options;
  for (const o of globals) program.addOption(new Option(o.flags, describe(o)));
  program.hook('preAction', (_program, command) => {
    for (const option of globals) {
      const name = option.attributeName();
      if (program.getOptionValueSource(name) !== 'cli') continue;
      if (!command.options.some((o) => o.attributeName() === name)) command.error(`error: ${option.long ?? name} does not apply to \`${commandPath(command)}\``);
      if (command.getOptionValueSource(name) !== 'cli') command.setOptionValueWithSource(name, program.getOptionValue(name), 'cli');
    }
  });
}
