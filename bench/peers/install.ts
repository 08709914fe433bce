/**
 * What `npm run bench:peers` needs from Debian, installed on first use: nginx with the Nchan
 * module (the push peer), redis-server (the bench runs a private one on a free port) and
 * redis-tools (redis-benchmark, the Redis ceiling). npm packages
 * (rsmq, autocannon) are devDependencies already. RabbitMQ is not installed here: it is a
 * service of the machine, used when it answers (see rabbitmq-http.ts).
 *
 * apt-get runs only when a binary is missing, non-interactively, and never starts a service
 * (Debian's nginx package would start one on port 80 where init scripts are allowed to run:
 * the bench runs its own nginx on a free loopback port instead).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's libnginx-mod-nchan puts the module. */
export const NCHAN_MODULE = '/usr/lib/nginx/modules/ngx_nchan_module.so';
export const NGINX = '/usr/sbin/nginx';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function apt(args: string[], log: (msg: string) => void): void {
  log(`apt-get ${args.join(' ')}`);
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
}

export interface Installed {
  nchan: boolean;
  redisBenchmark: boolean;
  /** Why something is missing (shown in the table instead of a figure). */
  notes: string[];
}

/** Installs what is missing; never throws: what could not be installed is reported instead. */
export function ensureInstalled(log: (msg: string) => void): Installed {
  const wanted: string[] = [];
  if (!existsSync(NGINX) || !existsSync(NCHAN_MODULE)) wanted.push('nginx', 'libnginx-mod-nchan');
  if (!has('redis-server')) wanted.push('redis-server');
  if (!has('redis-benchmark')) wanted.push('redis-tools');
  const notes: string[] = [];
  if (wanted.length > 0) {
    try {
      if (process.getuid?.() !== 0) throw new Error(`not root: install ${wanted.join(' ')} yourself (sudo apt-get install ${wanted.join(' ')})`);
      apt(['update', '-qq'], log);
      apt(['install', '-y', '-qq', '--no-install-recommends', ...wanted], log);
    } catch (err) {
      notes.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { nchan: existsSync(NGINX) && existsSync(NCHAN_MODULE), redisBenchmark: has('redis-benchmark'), notes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = ensureInstalled((m) => process.stderr.write(`  … ${m}\n`));
  process.stdout.write(JSON.stringify(r) + '\n');
}
