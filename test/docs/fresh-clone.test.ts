/**
 * The first ten minutes, as a newcomer lives them: a fresh clone of the committed tree, the
 * README's set-up command (`npm ci && npm start`), then every Quick start block typed as printed
 * in a second terminal (the only change: port 8888 becomes a free port, given to `npm start`
 * through RESTMQ_PORT, so nothing on this machine collides). Then the package as users get it:
 * `npm pack` of that clone, installed into an empty directory, `npx restmq serve` and
 * `restmq/client` imported from ESM and checked by TypeScript (strict), types included.
 *
 * npm installs come from the npm registry (or npm's cache) and build better-sqlite3: this file
 * takes a few minutes, hence its own timeouts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToExit, spawnChild, type Child } from '../harness/child.js';
import { freePort } from '../harness/redis.js';
import { waitUntil } from '../harness/wait.js';
import { fencedBlocks, doctests, matches } from './doctest-blocks.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM_QUIET = ['--no-audit', '--no-fund', '--prefer-offline'];
const MINUTES = 60_000;

const ready = async (url: string) => {
  try {
    return (await fetch(`${url}/ready`)).status === 200;
  } catch {
    return false;
  }
};

describe('a fresh clone, the README and the package', { timeout: 20 * MINUTES }, () => {
  const work = mkdtempSync(join(tmpdir(), 'restmq-fresh-'));
  const clone = join(work, 'restmq');
  let broker: Child | undefined;
  let port = 0;
  before(async () => {
    port = await freePort();
  });
  after(async () => {
    await broker?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('git clone, then npm ci: installs and builds with no engine warning', { timeout: 8 * MINUTES }, async () => {
    const git = await runToExit('git', ['clone', '--quiet', ROOT, clone], { cwd: work, env: {} });
    assert.equal(git.code, 0, git.stderr);
    const ci = await runToExit('npm', ['ci', ...NPM_QUIET], { cwd: clone, env: {} });
    assert.equal(ci.code, 0, `npm ci:\n${ci.stdout}\n${ci.stderr}`);
    assert.doesNotMatch(ci.stdout + ci.stderr, /EBADENGINE|Unsupported engine/, 'no engine warning on this Node');
    assert.ok(readdirSync(join(clone, 'dist')).length > 0, 'npm ci built dist/');
  });

  it('npm start serves; every Quick start block works as printed in a second terminal', { timeout: 4 * MINUTES }, async () => {
    broker = spawnChild('npm', ['start'], { cwd: clone, env: { RESTMQ_PORT: String(port) } });
    const url = `http://127.0.0.1:${port}`;
    await waitUntil('npm start to serve', () => ready(url), 60_000);
    const readme = readFileSync(join(clone, 'README.md'), 'utf8');
    const quick = doctests(readme).filter((b) => b.section.startsWith('Quick start'));
    const code = fencedBlocks(readme).filter((b) => b.section.startsWith('Quick start') && b.lang !== 'text');
    assert.equal(quick.length, code.length, 'every Quick start code block is a doctest');
    assert.ok(quick.some((b) => b.lang === 'ts') && quick.some((b) => b.lang === 'sh'));
    for (const block of quick) {
      const text = block.code.replaceAll('8888', String(port));
      let r;
      if (block.lang === 'sh') {
        // The terminal keeps $B from the first block.
        r = await runToExit('bash', ['-c', `set -eo pipefail\n${text}\n`], { cwd: clone, env: { B: url } });
      } else {
        // As the README says: saved as hello.mts in the checkout, run with npx tsx.
        writeFileSync(join(clone, 'hello.mts'), text);
        r = await runToExit('npx', ['tsx', 'hello.mts'], { cwd: clone, env: {} });
      }
      assert.equal(r.code, 0, `README line ${block.line}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      if (block.expected !== undefined) assert.ok(matches(r.stdout, block.expected), `README line ${block.line}: output differs\n--- expected\n${block.expected}\n--- actual\n${r.stdout}`);
    }
    await broker.stop();
  });

  it('npm pack, installed in an empty directory: npx restmq serve, and restmq/client from ESM and TypeScript', { timeout: 8 * MINUTES }, async () => {
    const pack = await runToExit('npm', ['pack', '--pack-destination', work], { cwd: clone, env: {} });
    assert.equal(pack.code, 0, pack.stderr);
    const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) ?? assert.fail('no tarball'));
    const app = join(work, 'app');
    const typescript = (JSON.parse(readFileSync(join(ROOT, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }).version;
    await runToExit('mkdir', [app], { env: {} });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const install = await runToExit('npm', ['install', ...NPM_QUIET, tarball, `typescript@${typescript}`, '@types/node@20'], { cwd: app, env: {} });
    assert.equal(install.code, 0, `npm install:\n${install.stdout}\n${install.stderr}`);

    const servePort = await freePort();
    const served = spawnChild('npx', ['restmq', 'serve'], { cwd: app, env: { RESTMQ_PORT: String(servePort) } });
    try {
      const url = `http://127.0.0.1:${servePort}`;
      await waitUntil('npx restmq serve', () => ready(url), 60_000);
      writeFileSync(
        join(app, 'use.mjs'),
        `import { RestMQ } from 'restmq/client';\nconst mq = new RestMQ({ url: process.argv[2] });\nconsole.log(await mq.push('installed', 'hello'));\nconsole.log((await mq.pop('installed'))?.value);\n`,
      );
      const esm = await runToExit('node', ['use.mjs', url], { cwd: app, env: {} });
      assert.equal(esm.code, 0, esm.stderr);
      assert.equal(esm.stdout, 'installed:1\nhello\n');
    } finally {
      await served.stop();
    }

    // Types ship with the package: a strict TypeScript program typechecks against them, and a
    // misuse is caught (so the check is real).
    writeFileSync(join(app, 'use.mts'), `import { RestMQ, type Envelope } from 'restmq/client';\nconst mq = new RestMQ({ url: 'http://127.0.0.1:8888' });\nconst key: string = await mq.push('q', 'v');\nconst got: Envelope | null = await mq.pop('q');\nconsole.log(key, got?.value);\n`);
    writeFileSync(join(app, 'wrong.mts'), `import { RestMQ } from 'restmq/client';\nconst mq = new RestMQ({ url: 'http://127.0.0.1:8888' });\nconst n: number = await mq.push('q', 'v');\nconsole.log(n);\n`);
    const tsconfig = (files: string[]) => JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'] }, files });
    writeFileSync(join(app, 'tsconfig.json'), tsconfig(['use.mts']));
    const tsc = await runToExit('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: app, env: {} });
    assert.equal(tsc.code, 0, `tsc:\n${tsc.stdout}${tsc.stderr}`);
    writeFileSync(join(app, 'tsconfig.json'), tsconfig(['wrong.mts']));
    const wrong = await runToExit('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: app, env: {} });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stdout, /Type 'string' is not assignable to type 'number'/);
  });
});
