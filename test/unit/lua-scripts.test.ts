/**
 * The Lua scripts and their registration agree: every file is registered under its name,
 * every name the store calls has a file, and each header documents the KEYS, ARGV and
 * output the body actually uses (the `-N` suffix is the number of KEYS).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadScripts, luaDir, registerScripts, resolveIncludes, SCRIPT_NAMES } from '../../src/storage/redis/scripts.js';
import { leaseKeys } from '../../src/storage/redis/redis-lease.js';

const scripts = loadScripts();

/** The leading --[[ ... ]] block, and the code after it. */
function split(lua: string): { header: string; body: string } {
  const m = /^--\[\[([\s\S]*?)\]\]/.exec(lua);
  return { header: m?.[1] ?? '', body: m ? lua.slice(m[0].length) : lua };
}
const indexes = (text: string, name: 'KEYS' | 'ARGV') =>
  new Set([...text.matchAll(new RegExp(`${name}\\[(\\d+)\\]`, 'g'))].map((m) => Number(m[1])));

it('every script file has a name the store knows, and every name has a file', () => {
  assert.deepEqual(scripts.map((s) => s.name).sort(), [...SCRIPT_NAMES].sort());
  assert.equal(new Set(scripts.map((s) => s.name)).size, scripts.length, 'one file per name');
});

it('every script is registered as an ioredis command', async () => {
  const redis = new Redis({ lazyConnect: true });
  try {
    const before = SCRIPT_NAMES.filter((n) => n in redis);
    assert.deepEqual(before, [], 'no script name shadows an ioredis method');
    registerScripts(redis);
    for (const n of SCRIPT_NAMES) assert.equal(typeof (redis as unknown as Record<string, unknown>)[n], 'function', n);
    registerScripts(redis); // idempotent: a second call must not throw
  } finally {
    redis.disconnect();
  }
});

const INCLUDE_LINE = /^-- #include [a-z_]+\n/gm;
const libs = readdirSync(`${luaDir()}lib`).filter((f) => f.endsWith('.lua')).map((f) => ({
  name: f.slice(0, -'.lua'.length),
  text: readFileSync(`${luaDir()}lib/${f}`, 'utf8'),
}));

it('every "-- #include <lib>" is resolved, and a lib uses no KEYS or ARGV of its own', () => {
  for (const s of scripts) assert.doesNotMatch(s.lua, /^-- #include/m, `${s.file} has an unresolved include`);
  assert.ok(libs.length > 0, 'lua/lib holds the shared code');
  for (const lib of libs) {
    assert.doesNotMatch(lib.text, /\b(KEYS|ARGV)\[/, `${lib.name}: keys and arguments come in as parameters`);
    const own = lib.text.replace(INCLUDE_LINE, '').trimEnd();
    assert.ok(scripts.some((s) => s.lua.includes(own)), `${lib.name} is included by some script`);
  }
});

it('one helper per lib file, named as the file, pasted at most once into a script', () => {
  for (const lib of libs) {
    const defined = [...lib.text.matchAll(/^local function ([a-z_]+)\(/gm)].map((m) => m[1]);
    assert.deepEqual(defined, [lib.name], `lib/${lib.name}.lua defines exactly ${lib.name}`);
    for (const s of scripts) {
      const times = s.lua.split(`local function ${lib.name}(`).length - 1;
      assert.ok(times <= 1, `${s.file} defines ${lib.name} ${times} times`);
    }
  }
});

it('a script calls only helpers it includes, and includes them before the call', () => {
  for (const s of scripts) {
    for (const lib of libs) {
      const call = new RegExp(`(?<!function )\\b${lib.name}\\(`).exec(s.lua);
      if (!call) continue;
      const at = s.lua.indexOf(`local function ${lib.name}(`);
      assert.ok(at >= 0 && at < call.index, `${s.file} calls ${lib.name} without including it first`);
    }
  }
});

it('includes nest, each lib pasted once and before what uses it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-lua-lib-'));
  try {
    writeFileSync(join(dir, 'a.lua'), 'local function a() end\n');
    writeFileSync(join(dir, 'b.lua'), '-- #include a\nlocal function b() a() end\n');
    const out = resolveIncludes('-- #include b\n-- #include a\nb()\n', `${dir}/`);
    assert.equal(out, 'local function a() end\nlocal function b() a() end\n\nb()\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the lease scripts agree on the order of the eight queue keys', () => {
  const lib = readFileSync(`${luaDir()}lib/queue_keys.lua`, 'utf8');
  const order = /QUEUE_KEY_NAMES = \{([^}]*)\}/.exec(lib)?.[1]?.match(/'[a-z]+'/g)?.map((n) => n.slice(1, -1));
  assert.deepEqual(order, ['pending', 'status', 'leased', 'tokens', 'attempts', 'settings', 'consumers', 'origin']);
  for (const name of ['lease', 'ack', 'nack']) {
    const s = scripts.find((x) => x.name === name);
    assert.ok(s, `${name} script exists`);
    assert.equal(s.numberOfKeys, 8, `${name} takes the eight queue keys`);
    const header = /^--\[\[([\s\S]*?)\]\]/.exec(s.lua)?.[1] ?? '';
    const named = [...header.matchAll(/KEYS\[(\d)\]\s+\S.*?(restmq:[a-z]+:<q>|<q>:queue|queuestat::<q>)/g)].map((m) => m[2]);
    assert.deepEqual(named, ['<q>:queue', 'queuestat::<q>', 'restmq:leased:<q>', 'restmq:lease:<q>', 'restmq:attempts:<q>',
      'restmq:settings:<q>', 'restmq:consumers:<q>', 'restmq:origin:<q>'], `${name}: KEYS in the lib's order`);
    assert.deepEqual(leaseKeys('<q>'), named, 'redis-lease.ts sends them in that order');
  }
});

for (const s of scripts) {
  it(`${s.file}: the header documents KEYS, ARGV and output`, () => {
    const { header, body } = split(s.lua);
    assert.ok(header.trim().length > 0, 'starts with a --[[ ]] header block');
    const headerKeys = indexes(header, 'KEYS');
    const maxKey = Math.max(0, ...headerKeys);
    assert.equal(maxKey, s.numberOfKeys, `-${s.numberOfKeys} suffix vs highest KEYS[i] in the header`);
    for (let i = 1; i <= maxKey; i++) assert.ok(headerKeys.has(i), `KEYS[${i}] named in the header`);
    for (const i of indexes(body, 'KEYS')) assert.ok(i <= s.numberOfKeys, `body uses KEYS[${i}]`);
    const headerArgv = indexes(header, 'ARGV');
    for (const i of indexes(body, 'ARGV')) assert.ok(headerArgv.has(i), `ARGV[${i}] used but not named in the header`);
    assert.ok(headerArgv.size > 0, 'names its ARGV');
    assert.match(header, /Output:\s*\n\s+\S/, 'names its return value');
  });
}
