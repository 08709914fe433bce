/**
 * Doc tests: every code block marked `<!-- doctest -->` in the README and in docs/ is run, in
 * reading order, and its stdout compared with the ```text block that follows it (if any; `…` in
 * an expected line matches any text). Each file of DOC_FILES gets a fresh SQLite broker of its
 * own: its blocks run one after the other and may rely on what an earlier one stored, never
 * on another file, so files run side by side (three at a time: their waits overlap). A file
 * listed with `acl` runs its broker with the file's first ```ini block as the `--acl` file, so
 * that example is tested too; `flags` and `ports` start its broker as the file's text says.
 * `sh`/`bash` blocks run in bash (`set -eo pipefail`) with `$B` set to the broker's URL and
 * `restmq` / `npx restmq` on the PATH (the CLI from source), in a scratch directory where
 * `examples/` is the repository's; background jobs end with the block, and a block still running
 * after a minute is killed. `ts` blocks run with tsx, `restmq/client` pointing at client/ and other
 * packages at node_modules/. `8888` is replaced by the broker's port. Every code block of the
 * Quick start must be a doctest (test/docs/fresh-clone.test.ts also runs them on a fresh clone),
 * and every TypeScript example that imports `restmq/client` must typecheck (tsc, strict).
 *
 * The rule that keeps the docs honest: a block of commands or code in the README or any
 * docs/*.md (any language but the exempt ones, NOT_CODE below: output, data, configuration and
 * PromQL, and unlabelled blocks) is either a doctest or says why it cannot be one, on the line
 * right before its fence, visible in the source: `<!-- not a doctest: needs Redis Sentinel -->`.
 * Those that cannot run here need what the test has not (Redis, Sentinel, a certificate for a
 * real host, another machine, the AWS CLI, a browser), run for minutes (benchmarks, the fuzzer,
 * the whole suite), never end (a stream followed until Ctrl-C) or start the broker that the test
 * starts itself with the same flags.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { runToExit } from '../harness/child.js';
import { freePort } from '../harness/redis.js';
import { DOCTEST_MARK, NOT_DOCTEST_MARK, doctests, fencedBlocks, matches } from './doctest-blocks.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');

/**
 * The docs in reading order, each run against a broker of its own: `acl` (see above), `flags`
 * of its broker, and `ports` the file names besides 8888, each replaced by a free port, in the
 * blocks and in those flags.
 */
export const DOC_FILES: { file: string; acl?: true; flags?: Record<string, string>; ports?: string[] }[] = [
  { file: 'README.md' }, { file: 'docs/http-api.md' }, { file: 'docs/reliable-delivery.md' }, { file: 'docs/presque.md' }, { file: 'docs/sqs.md' },
  { file: 'docs/streaming.md' }, { file: 'docs/adapters.md', flags: { 'syslog-port': '5140', 'syslog-udp-port': '5140' }, ports: ['5140'] },
  { file: 'docs/running.md' }, { file: 'docs/scaling.md' }, { file: 'docs/security.md', acl: true, flags: { 'cors-origin': 'https://app.example.com,https://ops.example.com', 'trust-proxy': '127.0.0.1' }, ports: ['8443'] },
  { file: 'docs/operations.md' }, { file: 'docs/sdk-and-cli.md' }, { file: 'docs/performance.md' }, { file: 'docs/compatibility.md' },
];
/** Other bare imports of an example (`@aws-sdk/client-sqs`) resolve from the repository, as in a checkout. */
const resolveImports = (code: string) => code.replace(/from '([^'./][^']*)'/g, (m, spec: string) => (spec.startsWith('node:') ? m : `from '${import.meta.resolve(spec)}'`));
/** A block that hangs is killed with all it started (a second broker, a stream): it fails, the file goes on. */
const BOUNDED = { killAfterMs: 60_000, group: true };
/** Languages of output, data and configuration: shown, never run, so they need no mark. Any other language is code. */
const NOT_CODE = new Set(['', 'text', 'json', 'yaml', 'ini', 'toml', 'conf', 'xml', 'promql']);
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCS = DOC_FILES.map((d) => ({ ...d, text: readFileSync(join(ROOT, d.file), 'utf8') }));
/** Every Markdown file a reader gets: the README and all of docs/, listed or not. */
const ALL_DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)].map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));

describe('README examples', { concurrency: 3 }, () => {
  let bin = '';
  before(() => {
    bin = mkdtempSync(join(tmpdir(), 'restmq-doctest-bin-'));
    // `restmq` and `npx restmq` on the PATH: the CLI from source.
    const cli = `"${process.execPath}" --import "${TSX}" "${join(ROOT, 'src/cli/run.ts')}"`;
    writeFileSync(join(bin, 'restmq'), `#!/bin/sh\nexec ${cli} "$@"\n`);
    writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = restmq ] || { echo "npx $1: only npx restmq in doc tests" >&2; exit 2; }\nshift\nexec ${cli} "$@"\n`);
    chmodSync(join(bin, 'restmq'), 0o755);
    chmodSync(join(bin, 'npx'), 0o755);
  });
  after(() => rmSync(bin, { recursive: true, force: true }));

  it('every code block of the Quick start is a doctest, one per audience at least', () => {
    const quick = fencedBlocks(README).filter((b) => b.section.startsWith('Quick start'));
    const code = quick.filter((b) => b.lang !== 'text');
    assert.ok(code.length >= 4, `the Quick start has ${code.length} code blocks`);
    for (const b of code) assert.ok(b.doctest, `README line ${b.line} (${b.section}) is not marked <!-- doctest -->`);
    assert.ok(code.some((b) => b.lang === 'ts'), 'a TypeScript example');
  });

  it('every command or code block of the README and docs/ is a doctest, or says why it is not', () => {
    const unmarked: string[] = [];
    for (const { file, text } of ALL_DOCS) {
      for (const b of fencedBlocks(text)) {
        if (!NOT_CODE.has(b.lang) && !b.doctest && b.notDoctest === undefined) unmarked.push(`${file} line ${b.line} (${b.section}, ${b.lang})`);
      }
    }
    assert.deepEqual(unmarked, [], 'mark each <!-- doctest --> (with its ```text output after it), or <!-- not a doctest: why -->');
  });

  it('every mark sits right before a code block, and every file with doctests is run', () => {
    for (const { file, text } of ALL_DOCS) {
      const lines = text.split('\n');
      const marked = new Set(fencedBlocks(text).filter((b) => b.doctest || b.notDoctest !== undefined).map((b) => b.line));
      lines.forEach((l, i) => {
        const mark = l.trim();
        if (mark !== DOCTEST_MARK && !mark.startsWith('<!-- not a doctest')) return;
        assert.ok(mark === DOCTEST_MARK || NOT_DOCTEST_MARK.test(mark), `${file} line ${i + 1}: write <!-- not a doctest: <why> -->`);
        let next = i + 1;
        while (next < lines.length && lines[next]!.trim() === '') next++;
        assert.ok(marked.has(next + 1), `${file} line ${i + 1}: a mark with no code block right after it`);
      });
      if (doctests(text).length > 0) assert.ok(DOC_FILES.some((d) => d.file === file), `${file} has doctests but is not in DOC_FILES`);
    }
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

  const all = DOCS.flatMap((d) => doctests(d.text));
  it('finds the doctests, most with their expected output', () => {
    assert.ok(all.length >= 4, `${all.length} doctests`);
    assert.ok(all.filter((b) => b.expected !== undefined).length >= all.length / 2, 'expected outputs found');
  });

  it('compares output line by line, with … as a wildcard', () => {
    assert.ok(matches('a:1\r\n{"receipt": "x.y"}\n', 'a:1\n{"receipt": "…"}'), 'a match');
    assert.ok(!matches('a:2\n', 'a:1'), 'a different line');
    assert.ok(!matches('a:1\nb\n', 'a:1'), 'an extra line');
  });

  for (const doc of DOCS) {
    const blocks = doctests(doc.text);
    if (blocks.length === 0) continue;
    describe(doc.file, { concurrency: 1 }, () => {
      let broker: TestBroker | undefined;
      let dir = '';
      let port = 0;
      const ports = new Map<string, string>();
      const withPorts = (text: string) => [...ports].reduce((t, [from, to]) => t.replaceAll(from, to), text);
      before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'restmq-doctest-'));
        symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'));
        const flags: Record<string, string> = {};
        if (doc.acl) {
          const ini = fencedBlocks(doc.text).find((b) => b.lang === 'ini');
          assert.ok(ini, `${doc.file}: no ini block to use as the ACL file`);
          mkdirSync(join(dir, 'etc'));
          writeFileSync(join(dir, 'etc/acl.conf'), ini.code);
          flags['acl'] = join(dir, 'etc/acl.conf');
        }
        port = await freePort();
        ports.set('8888', String(port));
        for (const p of doc.ports ?? []) ports.set(p, String(await freePort()));
        for (const [k, v] of Object.entries(doc.flags ?? {})) flags[k] = withPorts(v);
        broker = await startTestBroker('sqlite', { flags: { port: String(port), ...flags } });
      });
      after(async () => {
        await broker?.close();
        rmSync(dir, { recursive: true, force: true });
      });
      for (const block of blocks) {
        it(`${doc.file} line ${block.line} (${block.section}, ${block.lang})`, async () => {
          assert.ok(broker, 'broker started');
          const code = withPorts(block.code);
          let r;
          if (block.lang === 'sh' || block.lang === 'bash') {
            // Background jobs (a consumer or a broker started by the block) end with the block.
            const script = `set -eo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT\n${code}\n`;
            r = await runToExit('bash', ['-c', script], { cwd: dir, env: { B: broker.url, PATH: `${bin}:${process.env['PATH'] ?? ''}` }, ...BOUNDED });
          } else if (block.lang === 'ts') {
            const file = join(dir, `example-${block.line}.mts`);
            writeFileSync(file, resolveImports(code.replaceAll(`'restmq/client'`, `'${join(ROOT, 'client/index.ts')}'`)).replaceAll(`127.0.0.1:${port}`, broker.url.slice('http://'.length)));
            r = await runToExit(process.execPath, ['--import', TSX, file], { cwd: dir, env: {}, ...BOUNDED });
          } else {
            assert.fail(`${doc.file} line ${block.line}: a doctest must be sh, bash or ts, not ${block.lang || 'unlabelled'}`);
          }
          assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
          if (block.expected !== undefined) assert.ok(matches(r.stdout, block.expected), `output differs\n--- expected\n${block.expected}\n--- actual\n${r.stdout}\n--- stderr\n${r.stderr}`);
        });
      }
    });
  }
});
