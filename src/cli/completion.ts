/**
 * `restmq completion bash|zsh`: a completion script written from the command tree itself, so
 * it knows every command, option and choice there is. Both shells share one function,
 * `__restmq_candidates`, plain enough for either: given the words after `restmq` (the last one
 * being completed) it prints the candidates, one `name:description` per line.
 */
import { Argument, type Command, type Option } from 'commander';

/** A shell word in single quotes. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** A description on one line, without the `:` that would end a zsh candidate's name early. */
const desc = (s: string) => s.split('\n')[0]!.replace(/\s+/g, ' ').trim();

interface Node {
  path: string;
  command: Command;
}

function walk(command: Command, path = ''): Node[] {
  const help = command.createHelp();
  const below = help.visibleCommands(command).filter((c) => c.name() !== 'help');
  return [{ path, command }, ...below.flatMap((c) => walk(c, path === '' ? c.name() : `${path} ${c.name()}`))];
}

const takesValue = (o: Option) => o.required || o.optional;
const flagsOf = (o: Option) => [o.long, o.short].filter((f): f is string => f !== undefined);
const lines = (items: string[]) => `printf '%s\\n' ${items.map(sq).join(' ')}`;

function candidatesFunction(program: Command): string {
  const nodes = walk(program);
  const steps: string[] = [];
  const values: string[] = [];
  const options: string[] = [];
  const words: string[] = [];
  const choices: string[] = [];
  for (const { path, command } of nodes) {
    const help = command.createHelp();
    const visible = help.visibleOptions(command);
    const valued = visible.filter(takesValue).flatMap(flagsOf);
    if (valued.length > 0) steps.push(`      ${valued.map((f) => sq(`${path}/${f}`)).join('|')}) value="$cpath/$w" ;;`);
    for (const o of visible.filter((x) => takesValue(x) && x.argChoices)) {
      values.push(`    ${flagsOf(o).map((f) => sq(`${path}/${f}`)).join('|')}) ${lines(o.argChoices!)} ;;`);
    }
    const subs = help.visibleCommands(command);
    for (const c of subs) steps.push(`      ${sq(`${path}/${c.name()}`)}) cpath=${sq(path === '' ? c.name() : `${path} ${c.name()}`)}; n=0 ;;`);
    options.push(`      ${sq(path)}) ${lines(visible.flatMap((o) => flagsOf(o).map((f) => `${f}:${desc(o.description)}`)))} ;;`);
    const named = subs.map((c) => `${c.name()}:${desc(c.description())}`);
    if (subs.length > 0) words.push(`      ${sq(path)}) ${lines(named)} ;;`);
    // `restmq help <command>`: the commands beside it.
    const helpPath = path === '' ? 'help' : `${path} help`;
    if (subs.some((c) => c.name() === 'help')) choices.push(`      ${sq(`${helpPath}/0`)}) ${lines(named.filter((n) => !n.startsWith('help:')))} ;;`);
    command.registeredArguments.forEach((a: Argument, i) => {
      if (a.argChoices) choices.push(`      ${sq(`${path}/${i}`)}) ${lines(a.argChoices)} ;;`);
    });
  }
  return `__restmq_candidates() {
  # cpath: the command so far; n: how many of its arguments were given; value: the option
  # whose value comes next.
  local cpath= value= w n=0
  while [ $# -gt 1 ]; do
    w=$1
    shift
    if [ -n "$value" ]; then value=; continue; fi
    case "$cpath/$w" in
${steps.join('\n')}
      */-*) ;;
      *) n=$((n + 1)) ;;
    esac
  done
  if [ -n "$value" ]; then
    case "$value" in
${values.join('\n')}
    esac
    return 0
  fi
  case "$1" in
    -*) case "$cpath" in
${options.join('\n')}
    esac ;;
    *) case "$cpath" in
${words.join('\n')}
    esac
    case "$cpath/$n" in
${choices.join('\n')}
    esac ;;
  esac
}`;
}

export function bashScript(program: Command): string {
  return `# restmq completion for bash. Load it with: source <(restmq completion bash)
${candidatesFunction(program)}

_restmq() {
  local IFS=$'\\n'
  COMPREPLY=($(compgen -W "$(__restmq_candidates "\${COMP_WORDS[@]:1:COMP_CWORD}" | sed 's/:.*//')" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _restmq restmq
`;
}

export function zshScript(program: Command): string {
  return `#compdef restmq
# restmq completion for zsh. Load it with: source <(restmq completion zsh)
# (after compinit), or save it as _restmq in a directory of $fpath.
${candidatesFunction(program)}

_restmq() {
  local -a candidates
  candidates=("\${(@f)$(__restmq_candidates "\${(@)words[2,CURRENT]}")}")
  candidates=(\${candidates:#})
  (( \${#candidates} )) && _describe -t restmq restmq candidates || _files
}

if [ "\${funcstack[1]}" = _restmq ]; then
  _restmq "$@"
else
  compdef _restmq restmq
fi
`;
}

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(restmq completion bash)')
    .addArgument(new Argument('<shell>').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(shell === 'bash' ? bashScript(program) : zshScript(program));
    });
}
