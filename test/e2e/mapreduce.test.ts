/**
 * examples/mapreduce: the original's word-count and word-frequency pipelines, run as real
 * processes against a real broker: the reducer holds a COMET stream, mappers POST per file.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startTestBroker, type TestBroker } from '../harness/broker.js';

const DIR = new URL('../../examples/mapreduce/', import.meta.url);
const FILES = readdirSync(new URL('files/', DIR)).sort().map((f) => new URL(`files/${f}`, DIR).pathname);

function run(script: string, args: string[]): { lines: string[]; exited: Promise<number | null>; waitFor(re: RegExp, ms?: number): Promise<string> } {
  const child = spawn(process.execPath, [new URL(script, DIR).pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of waiters.splice(0)) {
      if (w.re.test(line)) w.resolve(line);
      else waiters.push(w);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    lines,
    exited,
    waitFor: (re, ms = 10_000) => {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${lines.join('\n')}`)), ms);
        waiters.push({ re, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
  };
}

describe('examples/mapreduce', () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker('memory');
  });
  after(async () => broker.close());

  it('word count: the reducer totals what every mapper counted', async () => {
    const expected = FILES.reduce((n, f) => n + readFileSync(f, 'utf8').split(/\s+/).filter(Boolean).length, 0);
    const reducer = run('reduce.mjs', ['--url', broker.url, '--expect', String(FILES.length)]);
    await reducer.waitFor(/listening/);
    for (const f of FILES) assert.equal(await run('map.mjs', [f, '--url', broker.url]).exited, 0);
    assert.equal(await reducer.waitFor(/^total: /), `total: ${expected}`);
    assert.equal(await reducer.exited, 0);
  });

  it('word frequency: the reducer merges the per-file frequencies', async () => {
    const counts = new Map<string, number>();
    for (const f of FILES) for (const w of readFileSync(f, 'utf8').split(/\s+/)) {
      const word = w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
      if (word) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    const reducer = run('reduce.mjs', ['--url', broker.url, '--freq', '--expect', String(FILES.length)]);
    await reducer.waitFor(/listening/);
    for (const f of FILES) assert.equal(await run('map.mjs', [f, '--url', broker.url, '--freq']).exited, 0);
    assert.equal(await reducer.waitFor(/^distinct: /), `distinct: ${counts.size}`);
    const top = JSON.parse(reducer.lines.find((l) => l.startsWith('top: '))!.slice(5)) as [string, number][];
    assert.deepEqual(top[0], [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]);
  });
});
