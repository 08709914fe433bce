/**
 * `restmq authkey create|list|revoke`: API keys. With `--url` the commands talk to a running
 * broker (`/authkeys`, category admin: give `--user name:password` or an admin `--authkey`);
 * without it they open the store directly with the same flags as `serve` (--store, --redis-*,
 * --config, environment). A running broker holds its SQLite file exclusively, so for SQLite
 * use --url while it runs. The key is printed once, at creation; afterwards keys are named by
 * their hash (a prefix of 8+ hex digits), or by the key itself.
 */
import { Command, Option } from 'commander';
import { decodeRecord, encodeRecord, hashKey, newKey, validateRecord } from '../auth/authkeys.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { SETTINGS, envName } from '../config/settings.js';
import { isBrokerError } from '../errors.js';

interface KeyInfo {
  hash: string;
  queues: string[];
  privs: string[];
  created: number;
  key?: string;
  sqsSecret?: string;
}

interface Admin {
  create(queues: string[], privs: string[]): Promise<KeyInfo>;
  list(): Promise<KeyInfo[]>;
  revoke(hashPrefix: string): Promise<string>;
  close(): Promise<void>;
}

const STORE_FLAGS = ['store', 'redis-host', 'redis-port', 'redis-db', 'redis-password', 'config'];
const HASH_PREFIX = /^[0-9a-f]{8,64}$/;

class CliError extends Error {}

function overHttp(url: string, user: string | undefined, key: string | undefined): Admin {
  const headers: Record<string, string> = {};
  if (user !== undefined) headers['authorization'] = `Basic ${Buffer.from(user).toString('base64')}`;
  else if (key !== undefined) headers['authorization'] = `Bearer ${key}`;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const init: RequestInit = { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(url.replace(/\/+$/, '') + path, init);
    const text = await r.text();
    if (!r.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        /* not JSON: the text as it came */
      }
      throw new CliError(`${r.status}: ${message}`);
    }
    return JSON.parse(text) as unknown;
  };
  return {
    create: async (queues, privs) => (await call('POST', '/authkeys', { queues, privs })) as KeyInfo,
    list: async () => (await call('GET', '/authkeys')) as KeyInfo[],
    revoke: async (prefix) => ((await call('DELETE', `/authkeys/${prefix}`)) as { hash: string }).hash,
    close: async () => {},
  };
}

async function overStore(flags: Record<string, string | undefined>): Promise<Admin> {
  const config = loadConfig(flags);
  // Loaded only here: with --url (the usual case) the stores' drivers are never needed.
  const { openStore } = await import('../storage/open.js');
  const store = await openStore(config.store, config.sqliteSync);
  const entries = async () => (await store.listAuthKeys()).flatMap(({ hash, record }) => {
    const r = decodeRecord(record);
    return r ? [{ hash, ...r }] : [];
  });
  return {
    create: async (queues, privs) => {
      const record = validateRecord(queues, privs);
      if (typeof record === 'string') throw new CliError(record);
      const key = newKey();
      await store.putAuthKey(hashKey(key), encodeRecord(record));
      return { key, hash: hashKey(key), ...record };
    },
    list: entries,
    revoke: async (prefix) => {
      const matches = (await entries()).filter((e) => e.hash.startsWith(prefix));
      if (matches.length !== 1) throw new CliError(matches.length === 0 ? 'no API key has this hash' : 'this hash prefix matches several keys: give more digits');
      await store.deleteAuthKey(matches[0]!.hash);
      return matches[0]!.hash;
    },
    close: () => store.close(),
  };
}

type Opts = Record<string, string | undefined>;

async function withAdmin(opts: Opts, run: (admin: Admin) => Promise<void>): Promise<void> {
  let admin: Admin | undefined;
  try {
    if (opts['url'] !== undefined) admin = overHttp(opts['url'], opts['user'], opts['authkey']);
    else {
      const flags: Opts = {};
      for (const f of STORE_FLAGS) flags[f] = opts[f.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())];
      admin = await overStore(flags);
    }
    await run(admin);
  } catch (err) {
    const known = err instanceof CliError || err instanceof ConfigError || isBrokerError(err);
    process.stderr.write(`restmq authkey: ${known ? (err as Error).message : String(err)}\n`);
    process.exitCode = 1;
  } finally {
    await admin?.close();
  }
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
const day = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : '-');

function withConnection(cmd: Command): Command {
  cmd.addOption(new Option('--url <url>', 'a running broker (else the store is opened directly)').env('RESTMQ_URL'));
  cmd.addOption(new Option('--user <name:password>', 'Basic credentials of the ACL [admin] section (with --url)').env('RESTMQ_AUTH'));
  cmd.addOption(new Option('--authkey <key>', 'an API key with the admin privilege (with --url)').env('RESTMQ_AUTHKEY'));
  for (const s of SETTINGS.filter((x) => STORE_FLAGS.includes(x.flag))) cmd.addOption(new Option(`--${s.flag} <value>`, `${s.doc}; env ${envName(s.flag)}`));
  return cmd;
}

export function registerAuthkeyCommands(program: Command): void {
  const authkey = program.command('authkey').description('API keys: create, list, revoke');
  withConnection(authkey.command('create').description('create a key; it is printed once'))
    .requiredOption('--queues <patterns>', 'comma-separated queue patterns (* matches any characters)')
    .requiredOption('--privs <privs>', 'comma-separated: read, write, admin')
    .action((opts: Opts) =>
      withAdmin(opts, async (admin) => {
        const k = await admin.create(list(opts['queues']), list(opts['privs']));
        process.stdout.write(`${k.key}\n`);
        process.stderr.write(`hash ${k.hash.slice(0, 12)}  queues ${k.queues.join(',')}  privs ${k.privs.join(',')}  (the key is not shown again)\n`);
        if (k.sqsSecret) process.stderr.write(`SQS API (SigV4): access key id ${k.hash}  secret access key ${k.sqsSecret}  (not shown again)\n`);
      }),
    );
  withConnection(authkey.command('list').description('list keys: hash prefix, queues, privileges, creation time'))
    .action((opts: Opts) =>
      withAdmin(opts, async (admin) => {
        for (const k of await admin.list()) process.stdout.write(`${k.hash.slice(0, 12)}  ${k.queues.join(',')}  ${k.privs.join(',')}  ${day(k.created)}\n`);
      }),
    );
  withConnection(authkey.command('revoke').description('revoke a key, named by the key or by 8+ hex digits of its hash').argument('<key-or-hash-prefix>'))
    .action((which: string, opts: Opts) =>
      withAdmin(opts, async (admin) => {
        const prefix = HASH_PREFIX.test(which) ? which : hashKey(which);
        process.stdout.write(`revoked ${(await admin.revoke(prefix)).slice(0, 12)}\n`);
      }),
    );
}
