/**
 * The cluster layout's Lua scripts (lua/cluster/) and their registration agree, as
 * lua-scripts.test.ts checks for the plain layout: every file is registered, every name the
 * store calls has a file, `-N` matches the header's KEYS (`-n`: the caller counts them), each
 * file starts with a `#!lua` line (Redis 7 flags: in a cluster, keys outside the declared slot
 * are refused), and no script reaches a key it was not given: every key argument of a
 * redis.call is a declared key (KEYS[i], a field of the queue table K built from KEYS, or an
 * inbox taken from KEYS), never a name built in Lua.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import { CLUSTER_SCRIPT_NAMES, clusterLuaDir, loadClusterScripts, registerClusterScripts } from '../../src/storage/redis/cluster-scripts.js';
import { CLUSTER_QUEUE_KEY_NAMES, clusterQueueKeys } from '../../src/storage/redis/keys.js';

const scripts = loadClusterScripts();
const dir = clusterLuaDir();
const raw = (file: string) => readFileSync(dir + file, 'utf8');

/** The --[[ ... ]] header after the #!lua line. */
const headerOf = (lua: string) => /^#!lua[^\n]*\n--\[\[([\s\S]*?)\]\]/.exec(lua)?.[1] ?? '';

it('every cluster script file has a name the store knows, and every name has a file', () => {
  assert.deepEqual(scripts.map((s) => s.name).sort(), [...CLUSTER_SCRIPT_NAMES].sort());
  assert.equal(new Set(scripts.map((s) => s.name)).size, scripts.length, 'one file per name');
});

it('every cluster script is registered as an ioredis command on a Cluster client', () => {
  const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
  try {
    registerClusterScripts(cluster);
    for (const n of CLUSTER_SCRIPT_NAMES) assert.equal(typeof (cluster as unknown as Record<string, unknown>)[n], 'function', n);
    registerClusterScripts(cluster);
  } finally {
    cluster.disconnect();
  }
});

it('the queue keys are sent in the order lib/queue_from.lua names them', () => {
  const lib = readFileSync(`${dir}lib/queue_from.lua`, 'utf8');
  const order = /QUEUE_KEY_NAMES = \{([^}]*)\}/.exec(lib)?.[1]?.match(/'[A-Za-z]+'/g)?.map((n) => n.slice(1, -1));
  assert.deepEqual(order, [...CLUSTER_QUEUE_KEY_NAMES]);
  const keys = clusterQueueKeys('jobs');
  assert.equal(keys.length, 20);
  assert.ok(keys.every((k) => k.startsWith('{jobs}:')), 'every queue key carries the hash tag {jobs}');
  assert.equal(new Set(keys).size, keys.length, 'no two queue keys are the same');
});

it('one helper per cluster lib file, named as the file, without KEYS or ARGV, pasted once where used', () => {
  const libs = readdirSync(`${dir}lib`).filter((x) => x.endsWith('.lua'));
  assert.ok(libs.length > 0, 'lua/cluster/lib holds the shared code');
  for (const f of libs) {
    const name = f.slice(0, -'.lua'.length);
    const text = readFileSync(`${dir}lib/${f}`, 'utf8');
    assert.doesNotMatch(text, /\b(KEYS|ARGV)\[/, `${f}: keys and arguments come in as parameters`);
    assert.deepEqual([...text.matchAll(/^local function (\w+)\(/gm)].map((m) => m[1]), [name], `${f} defines ${name} only`);
    assert.ok(scripts.some((s) => s.lua.includes(`local function ${name}(`)), `${f} is included by some script`);
    for (const s of scripts) assert.ok(s.lua.split(`local function ${name}(`).length <= 2, `${name} pasted once into ${s.file}`);
  }
  for (const s of scripts) assert.doesNotMatch(s.lua, /^-- #include/m, `${s.file} has an unresolved include`);
});

/** Commands whose first argument is not a key, and commands where every argument is a key. */
const NO_KEY = new Set(['TIME', 'SPUBLISH']);
const ALL_KEYS = new Set(['DEL', 'EXISTS']);
/** A declared key: KEYS[i], a field of K (queue_from(KEYS)), or an inbox looked up from KEYS (`key`: the parameter of lib lpush, called with those). */
const DECLARED = /^(KEYS\[[^\]]+\]|K\.[A-Za-z]+|inbox_of\[[^\]]+\]|inbox|key)$/;

for (const s of scripts) {
  it(`${s.file}: starts with #!lua, documents KEYS/ARGV/output, touches declared keys only`, () => {
    const text = raw(s.file);
    assert.match(text.split('\n')[0]!, /^#!lua( flags=[a-z-]+(,[a-z-]+)*)?$/, 'the first line is #!lua');
    const header = headerOf(text);
    assert.ok(header.trim().length > 0, 'a --[[ ]] header follows the #!lua line');
    if (s.numberOfKeys >= 0) {
      const named = [...header.matchAll(/KEYS\[(\d+)(?:\.\.(\d+))?\]/g)].map((m) => Number(m[2] ?? m[1]));
      assert.equal(Math.max(0, ...named), s.numberOfKeys, `-${s.numberOfKeys} suffix vs highest KEYS[i] in the header`);
    } else {
      assert.match(header, /number of keys is given by the caller/, '-n scripts say who counts the keys');
    }
    assert.match(header, /ARGV\[\d+\]/, 'names its ARGV');
    assert.match(header, /Output:\s*\n\s+\S/, 'names its return value');
    for (const m of s.lua.matchAll(/redis\.call\('([A-Z]+)'(?:,\s*([^)]*))?\)/g)) {
      const [cmd, rest = ''] = [m[1]!, m[2]];
      if (NO_KEY.has(cmd)) continue;
      const args = rest.split(',').map((a) => a.trim());
      for (const a of ALL_KEYS.has(cmd) ? args : args.slice(0, 1)) {
        assert.match(a, DECLARED, `${s.file}: ${cmd} on ${a}, which is not a declared key`);
      }
    }
  });
}
