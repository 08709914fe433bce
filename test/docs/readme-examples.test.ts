/**
 * Doc tests: every README code block marked `<!-- doctest -->` is run, in README order,
 * against one fresh broker, and its stdout compared with the ```text block that follows it
 * (if any; `…` in an expected line matches any text). `sh` blocks run in bash with `$B` set to
 * the broker's URL and a `restmq` command on the PATH (the CLI from source); `ts` blocks run
 * with tsx, `restmq/client` pointing at client/. `8888` is replaced by a free port, so a
 * block that starts its own broker does not collide with anything. Every code block of the
 * Quick start must be a doctest, and every TypeScript example must typecheck (tsc, strict).
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

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');

interface Block {
  lang: string;
  code: string;
  expected?: string;
  /** The `##` section and `###` subsection it is in. */
  section: string;
  line: number;
}

/** Fenced blocks with their language and line, and the headings they sit under. */
export function fencedBlocks(markdown: string): (Block & { doctest: boolean })[] {
  const lines = markdown.split('\n');
  const out: (Block & { doctest: boolean })[] = [];
  let section = '';
  let sub = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('## ')) [section, sub] = [line.slice(3).trim(), ''];
    else if (line.startsWith('### ')) sub = line.slice(4).trim();
    const open = /^(\s*)```(\w*)\s*$/.exec(line);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
    let prev = start - 1;
    while (prev >= 0 && lines[prev]!.trim() === '') prev--;
    out.push({ lang: open[2]!, code: body.join('\n'), section: sub ? `${section} / ${sub}` : section, line: start + 1, doctest: prev >= 0 && lines[prev]!.trim() === '<!-- doctest -->' });
  }
  return out;
}

/** Doctest blocks, each with the ```text block right after it as its expected output. */
export function doctests(markdown: string): Block[] {
  const blocks = fencedBlocks(markdown);
  const lines = markdown.split('\n');
  const out: Block[] = [];
  blocks.forEach((b, i) => {
    if (!b.doctest) return;
    const next = blocks[i + 1];
    // The output block must follow with only blank lines and the closing fence in between.
    const closing = b.line + b.code.split('\n').length; // index of the closing fence
    const gap = next ? lines.slice(closing + 1, next.line - 1) : [];
    const expected = next && next.lang === 'text' && !next.doctest && gap.every((l) => l.trim() === '') ? next.code : undefined;
    out.push({ lang: b.lang, code: b.code, section: b.section, line: b.line, ...(expected !== undefined ? { expected } : {}) });
  });
  return out;
}

/** Compares output with the expected text line by line; `…` matches anything. */
export function matches(actual: string, expected: string): boolean {
  const norm = (s: string) => s.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n').map((l) => l.trimEnd());
  const a = norm(actual);
  const e = norm(expected);
  if (a.length !== e.length) return false;
  return e.every((line, i) => new RegExp('^' + line.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$').test(a[i]!));
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README examples', () => {
  let broker: TestBroker | undefined;
  let dir = '';
  let port = 0;
  before(async () => {
    broker = await startTestBroker('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'restmq-doctest-'));
    port = await freePort();
    // `restmq` on the PATH: the CLI from source.
    writeFileSync(join(dir, 'restmq'), `#!/bin/sh\nexec "${process.execPath}" --import "${TSX}" "${join(ROOT, 'src/cli/run.ts')}" "$@"\n`);
    chmodSync(join(dir, 'restmq'), 0o755);
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
    const examples = fencedBlocks(README).filter((b) => b.lang === 'ts' && b.code.includes(`'restmq/client'`));
    assert.ok(examples.length >= 2, `${examples.length} TypeScript examples`);
    const tc = mkdtempSync(join(tmpdir(), 'restmq-doctest-tsc-'));
    try {
      const files = examples.map((b) => {
        const name = `example-${b.line}.mts`;
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

  const blocks = doctests(README);
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
    it(`README line ${block.line} (${block.section}, ${block.lang})`, async () => {
      assert.ok(broker, 'broker started');
      const code = block.code.replaceAll('8888', String(port));
      let r;
      if (block.lang === 'sh') {
        // Background jobs (a broker started by the block) end with the block.
        const script = `set -eo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT\n${code}\n`;
        r = await runToExit('bash', ['-c', script], { cwd: dir, env: { B: broker.url, PATH: `${dir}:${process.env['PATH'] ?? ''}` } });
      } else if (block.lang === 'ts') {
        const file = join(dir, `example-${block.line}.mts`);
        writeFileSync(file, code.replaceAll(`'restmq/client'`, `'${join(ROOT, 'client/index.ts')}'`).replaceAll(`127.0.0.1:${port}`, broker.url.slice('http://'.length)));
        r = await runToExit(process.execPath, ['--import', TSX, file], { cwd: dir, env: {} });
      } else {
        assert.fail(`README line ${block.line}: a doctest must be sh or ts, not ${block.lang || 'unlabelled'}`);
      }
      assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
      if (block.expected !== undefined) assert.ok(matches(r.stdout, block.expected), `output differs\n--- expected\n${block.expected}\n--- actual\n${r.stdout}\n--- stderr\n${r.stderr}`);
    });
  }
});
