/**
 * Doc tests: every code block marked `<!-- doctest -->` in the README and in docs/ is run, in
 * reading order (the README, then DOC_FILES), against one fresh broker, and its stdout compared
 * with the ```text block that follows it (if any; `…` in an expected line matches any text).
 * `sh` blocks run in bash with `$B` set to the broker's URL and `restmq` / `npx restmq` on the
 * PATH (the CLI from source); `ts` blocks run with tsx, `restmq/client` pointing at client/.
 * `8888` is replaced by the broker's port. Every code block of the Quick start must be a doctest
 * (test/docs/quick-start.test.ts also runs them on a fresh clone), and every TypeScript example
 * must typecheck (tsc, strict).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { runToExit } from '../harness/child.js';
import { freePort } from '../harness/redis.js';
import { doctests, fencedBlocks, matches } from './doctest-blocks.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');
const AWS_SQS = import.meta.resolve('@aws-sdk/client-sqs');

/** The docs in reading order: the doctests of one may rely on what an earlier one stored. */
export const DOC_FILES = ['README.md', 'docs/http-api.md', 'docs/reliable-delivery.md', 'docs/presque.md', 'docs/sqs.md', 'docs/streaming.md', 'docs/adapters.md', 'docs/running.md', 'docs/scaling.md', 'docs/security.md', 'docs/operations.md', 'docs/sdk-and-cli.md', 'docs/performance.md', 'docs/compatibility.md'];
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCS = DOC_FILES.map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));

describe('README examples', () => {
  let broker: TestBroker | undefined;
  let dir = '';
  let port = 0;
  before(async () => {
    port = await freePort();
    broker = await startTestBroker('sqlite', { flags: { port: String(port) } });
    dir = mkdtempSync(join(tmpdir(), 'restmq-doctest-'));
    // `restmq` and `npx restmq` on the PATH: the CLI from source.
    const cli = `"${process.execPath}" --import "${TSX}" "${join(ROOT, 'src/cli/run.ts')}"`;
    writeFileSync(join(dir, 'restmq'), `#!/bin/sh\nexec ${cli} "$@"\n`);
    writeFileSync(join(dir, 'npx'), `#!/bin/sh\n[ "$1" = restmq ] || { echo "npx $1: only npx restmq in doc tests" >&2; exit 2; }\nshift\nexec ${cli} "$@"\n`);
    chmodSync(join(dir, 'restmq'), 0o755);
    chmodSync(join(dir, 'npx'), 0o755);
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every code block of the Quick start is a doctest, one per audience at least', () => {
    const quick = fencedBlocks(README).filter((b) => b.section.startsWith('Quick start'));
    const code = quick.filter((b) => b.lang !== 'text');
    assert.ok(code.length >= 4, `the Quick start has ${code.length} code blocks`);
    for (const b of code) assert.ok(b.doctest, `README line ${b.line} (${b.section}) is not marked <!-- doctest -->`);
    assert.ok(code.some((b) => b.lang === 'ts'), 'a TypeScript example');
  });

  it('the TypeScript examples typecheck against the SDK (strict)', async () => {
    const examples = DOCS.flatMap((d) => fencedBlocks(d.text)).filter((b) => b.lang === 'ts' && b.code.includes(`'restmq/client'`));
    assert.ok(examples.length >= 2, `${examples.length} TypeScript examples`);
    const tc = mkdtempSync(join(tmpdir(), 'restmq-doctest-tsc-'));
    try {
      const files = examples.map((b, i) => {
        const name = `example-${i}-${b.line}.mts`;
        writeFileSync(join(tc, name), b.code);
        return name;
      });
      const compilerOptions = {
        target: 'ES2022', lib: ['ES2024'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
        types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')], paths: { 'restmq/client': [join(ROOT, 'client/index.ts')] },
      };
      writeFileSync(join(tc, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
      const r = await runToExit(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(tc, 'tsconfig.json')], { cwd: tc, env: {} });
      assert.equal(r.code, 0, `tsc:\n${r.stdout}${r.stderr}`);
    } finally {
      rmSync(tc, { recursive: true, force: true });
    }
  });

  const blocks = DOCS.flatMap((d) => doctests(d.text).map((b) => ({ ...b, file: d.file })));
  it('finds the doctests, most with their expected output', () => {
    assert.ok(blocks.length >= 4, `${blocks.length} doctests`);
    assert.ok(blocks.filter((b) => b.expected !== undefined).length >= 4, 'expected outputs found');
  });

  it('compares output line by line, with … as a wildcard', () => {
    assert.ok(matches('a:1\r\n{"receipt": "x.y"}\n', 'a:1\n{"receipt": "…"}'), 'a match');
    assert.ok(!matches('a:2\n', 'a:1'), 'a different line');
    assert.ok(!matches('a:1\nb\n', 'a:1'), 'an extra line');
  });

  for (const block of blocks) {
    it(`${block.file} line ${block.line} (${block.section}, ${block.lang})`, async () => {
      assert.ok(broker, 'broker started');
      const code = block.code.replaceAll('8888', String(port));
      let r;
      if (block.lang === 'sh') {
        // Background jobs (a broker started by the block) end with the block.
        const script = `set -eo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT\n${code}\n`;
        r = await runToExit('bash', ['-c', script], { cwd: dir, env: { B: broker.url, PATH: `${dir}:${process.env['PATH'] ?? ''}` } });
      } else if (block.lang === 'ts') {
        const file = join(dir, `example-${block.file.replace(/\W/g, "-")}-${block.line}.mts`);
        // The SDK from the checkout, and the AWS SDK from its node_modules (the file is in a temp dir).
        const imports = code.replaceAll(`'restmq/client'`, `'${join(ROOT, 'client/index.ts')}'`).replaceAll(`'@aws-sdk/client-sqs'`, `'${AWS_SQS}'`);
        writeFileSync(file, imports.replaceAll(`127.0.0.1:${port}`, broker.url.slice('http://'.length)));
        r = await runToExit(process.execPath, ['--import', TSX, file], { cwd: dir, env: {} });
      } else {
        assert.fail(`${block.file} line ${block.line}: a doctest must be sh or ts, not ${block.lang || 'unlabelled'}`);
      }
      assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
      if (block.expected !== undefined) assert.ok(matches(r.stdout, block.expected), `output differs\n--- expected\n${block.expected}\n--- actual\n${r.stdout}\n--- stderr\n${r.stderr}`);
    });
  }
});
