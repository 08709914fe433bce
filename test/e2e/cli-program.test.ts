/**
 * The `restmq` program itself, run as a real process: plain `restmq` prints the help,
 * `--version`, unknown commands and misplaced flags, connection options before the
 * subcommand, and shell completion scripts exercised in bash and zsh.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestMQ } from '../../client/index.js';
import { qname } from './backends.js';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { cliArgs, runToExit } from '../harness/child.js';

const restmq = (args: string[], env?: NodeJS.ProcessEnv) => runToExit(process.execPath, cliArgs(args), env ? { env } : {});
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the program', () => {
  it('plain `restmq` prints the help on stdout and exits 0; so does --help', async () => {
    const r = await restmq([]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: restmq /);
    for (const command of ['serve', 'push', 'queue', 'peek', 'redrive', 'completion']) assert.match(r.stdout, new RegExp(`^  ${command}\\b`, 'm'));
    assert.doesNotMatch(r.stdout, /#\d+|\bissue\b/i, 'no issue numbers in the help');
    const help = await restmq(['--help']);
    assert.equal(help.code, 0);
    assert.equal(help.stdout, r.stdout);
  });

  it('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await restmq([flag]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${VERSION}\n`);
    }
  });

  it('an unknown command says so, suggests the nearest, and exits non-zero', async () => {
    const r = await restmq(['stast']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /unknown command 'stast'/);
    assert.match(r.stderr, /Did you mean stats\?/);
    const sub = await restmq(['queue', 'lst']);
    assert.equal(sub.code, 1);
    assert.match(sub.stderr, /unknown command 'lst'[\s\S]*Did you mean list\?/);
  });

  it('a broker flag without `serve` points to `restmq serve`, and starts nothing', async () => {
    const r = await restmq(['--port', '1', '--store', 'memory']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'restmq: --port is an option of the broker: restmq serve --port 1 --store memory\n');
  });

  it('a connection option before a command that takes none is refused', async () => {
    const r = await restmq(['--url', 'http://127.0.0.1:1', 'serve', '--store', 'memory']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--url does not apply to `restmq serve`/);
  });
});

describe('connection options before the subcommand', () => {
  let broker: TestBroker | undefined;
  before(async () => {
    broker = await startTestBroker('sqlite');
  });
  after(async () => {
    await broker?.close();
  });

  it('--url and --json before the subcommand; after it they win; RESTMQ_URL is the fallback', async () => {
    assert.ok(broker, 'broker started');
    const q = qname();
    const pushed = await restmq(['--url', broker.url, '--json', 'push', q, 'v']);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.deepEqual(JSON.parse(pushed.stdout), { queue: q, key: `${q}:1` });
    // The one after the subcommand wins over the one before it.
    const later = await restmq(['--url', 'http://127.0.0.1:1', 'stats', q, '--url', broker.url]);
    assert.equal(later.code, 0, later.stderr);
    // The one before the subcommand wins over the environment.
    const overEnv = await restmq(['--url', broker.url, 'pop', q], { RESTMQ_URL: 'http://127.0.0.1:1' });
    assert.equal(overEnv.code, 0, overEnv.stderr);
    assert.equal(overEnv.stdout, 'v\n');
    assert.equal((await new RestMQ({ url: broker.url }).stats(q)).len, 0);
  });
});

describe('shell completion', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'restmq-completion-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The script `restmq completion <shell>` prints, saved to a file. */
  async function script(shell: string): Promise<string> {
    const r = await restmq(['completion', shell]);
    assert.equal(r.code, 0, r.stderr);
    const path = join(dir, `restmq.${shell}`);
    writeFileSync(path, r.stdout);
    return path;
  }

  /** What bash offers for the command line `line` (the cursor at its end). */
  async function bashComplete(path: string, line: string): Promise<string[]> {
    const program = `source "$1"; read -ra COMP_WORDS <<< "$2"; [[ "$2" == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _restmq; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = await runToExit('bash', ['-c', program, 'bash', path, line]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    return r.stdout.split('\n').filter((l) => l !== '');
  }

  it('bash: subcommands, nested subcommands, options, option values and argument choices', async () => {
    const path = await script('bash');
    assert.deepEqual(await bashComplete(path, 'restmq qu'), ['queue']);
    assert.deepEqual(await bashComplete(path, 'restmq --url http://h:1 --json st'), ['stats']);
    assert.deepEqual(await bashComplete(path, 'restmq queue '), ['list', 'delete', 'purge', 'stop', 'start', 'policy', 'settings', 'help']);
    assert.deepEqual(await bashComplete(path, 'restmq queue settings q --max'), ['--max-attempts']);
    assert.deepEqual(await bashComplete(path, 'restmq queue policy q --url x '), ['broadcast', 'roundrobin']);
    assert.deepEqual(await bashComplete(path, 'restmq queue policy '), [], 'the queue name comes first');
    assert.deepEqual(await bashComplete(path, 'restmq tail q --transport '), ['sse', 'ws']);
    assert.deepEqual(await bashComplete(path, 'restmq completion '), ['bash', 'zsh']);
    assert.deepEqual(await bashComplete(path, 'restmq queue help s'), ['stop', 'start', 'settings']);
    assert.ok((await bashComplete(path, 'restmq serve --')).includes('--store'));
  });

  // zsh completes only in an interactive shell: one is run on a pseudo-terminal (zsh/zpty),
  // and the line it shows after a Tab is read back.
  const zsh = ['/usr/bin/zsh', '/bin/zsh'].find((p) => existsSync(p));
  it('zsh: Tab completes subcommands and choices', { skip: zsh === undefined ? 'zsh is not installed' : false }, async () => {
    const path = await script('zsh');
    const driver = join(dir, 'drive.zsh');
    writeFileSync(
      driver,
      `zmodload zsh/zpty
zpty z '${zsh} -f -i'
zpty -w z 'PS1="> "; autoload -U compinit; compinit -u -D; source ${path}; print READY'
zpty -r z line '*READY*'
zpty -r z line '*> '
zpty -wn z "$1"$'\\t'
sleep 1
zpty -rt z out
print -r -- "$out"
zpty -d z
`,
    );
    const shown = async (line: string) => {
      const r = await runToExit(zsh!, ['-f', driver, line], { killAfterMs: 20_000 });
      assert.equal(r.code, 0, r.stderr);
      // What the line editor drew, without its escape sequences and backspaces.
      const escape = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');
      const backspace = new RegExp(`.${String.fromCharCode(8)}`, 'g');
      return r.stdout.replace(escape, '').replace(backspace, '');
    };
    assert.match(await shown('restmq queue po'), /restmq queue policy /);
    assert.match(await shown('restmq completion z'), /restmq completion zsh /);
    assert.match(await shown('restmq tail q --transport s'), /--transport sse /);
  });
});
