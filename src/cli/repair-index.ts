/**
 * `restmq repair-index`: on a Redis Cluster store, rebuilds the queue index (what /stats and
 * GET /q/ list) from the queues found on every primary, after a failover lost index entries,
 * and the stream reaper's list of streamed queues likewise.
 * Opens the store directly, with the same store flags as `serve`; other stores keep their
 * index with each write and need no repair.
 */
import { Option, type Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import { SETTINGS, envName } from '../config/settings.js';
import { isBrokerError } from '../errors.js';
import type { openStore as OpenStore } from '../storage/open.js';

const STORE_FLAGS = ['store', 'redis-host', 'redis-port', 'redis-db', 'redis-password', 'config'];

type Opts = Record<string, string | undefined>;

interface Repairable {
  repairIndex(): Promise<number>;
}
const repairable = (store: object): store is Repairable => typeof (store as Partial<Repairable>).repairIndex === 'function';

async function repair(opts: Opts): Promise<void> {
  const flags: Opts = {};
  for (const f of STORE_FLAGS) flags[f] = opts[f.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())];
  let store: Awaited<ReturnType<typeof OpenStore>> | undefined;
  try {
    // Loaded only here, so that the other commands start without the stores' drivers.
    const { openStore } = await import('../storage/open.js');
    store = await openStore(loadConfig(flags).store);
    if (!repairable(store)) {
      process.stdout.write('this store keeps its queue index with every write: nothing to repair\n');
      return;
    }
    process.stdout.write(`indexed ${await store.repairIndex()} queues\n`);
  } catch (err) {
    const known = err instanceof ConfigError || isBrokerError(err);
    process.stderr.write(`restmq repair-index: ${known ? (err as Error).message : String(err)}\n`);
    process.exitCode = 1;
  } finally {
    await store?.close();
  }
}

export function registerRepairIndexCommand(program: Command): void {
  const cmd = program.command('repair-index').description('Redis Cluster: rebuild the list of queues from every primary');
  for (const s of SETTINGS.filter((x) => STORE_FLAGS.includes(x.flag))) cmd.addOption(new Option(`--${s.flag} <value>`, `${s.doc}; env ${envName(s.flag)}`));
  cmd.action(repair);
}
