import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { startRedis } from '../test/harness/redis.js';
import { LAZY_LAYOUT, LEASE_LAYOUT } from '../src/storage/redis/keys.js';
import { loadScripts } from '../src/storage/redis/scripts.js';
const server = await startRedis();
const r = new Redis({ host: server.host, port: server.port });
const lib = readFileSync('src/storage/redis/lua/lib/lazy_layout.lua', 'utf8');
const ack = loadScripts().find((s) => s.name === 'ack')!.lua;
const variants: Record<string, [string, string]> = {
  empty: ['return 1', LAZY_LAYOUT],
  lazy: [lib + '\nlocal L = lazy_layout(ARGV[1]) return L.meta', LAZY_LAYOUT],
  decode: ['local L = cjson.decode(ARGV[1]) return L.meta', LEASE_LAYOUT],
  ackfuncs: [ack.replace(/local L = lazy_layout[\s\S]*$/, 'return 1'), LAZY_LAYOUT],
};
for (const [n, [lua]] of Object.entries(variants)) r.defineCommand(n, { numberOfKeys: 0, lua });
for (let round = 0; round < 2; round++) for (const [n, [, arg]] of Object.entries(variants)) {
  await r.config('RESETSTAT');
  const f = (r as any)[n].bind(r);
  for (let i = 0; i < 5000; i++) await f(arg);
  const s = await r.info('commandstats');
  console.log(n, /cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(s)?.[1]);
}
r.disconnect(); await server.stop();
