/**
 * examples/mapreduce: the original's word-count and word-frequency pipelines, run as real
 * processes against a real broker: the reducer holds a COMET stream, mappers POST per file.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { spawnChild } from '../harness/child.js';

const DIR = new URL('../../examples/mapreduce/', import.meta.url);
const FILES = readdirSync(new URL('files/', DIR)).sort().map((f) => new URL(`files/${f}`, DIR).pathname);

/** Runs an example script; `waitFor` resolves with the first output line that matches. */
function run(script: string, args: string[]): { lines: string[]; exited: Promise<number | null>; waitFor(re: RegExp, ms?: number): Promise<string> } {
  const child = spawnChild(process.execPath, [new URL(script, DIR).pathname, ...args], { killAfterMs: 120_000 });
  return { lines: child.lines, exited: child.exited.then((e) => e.code), waitFor: (re, ms = 10_000) => child.waitForLine(re, ms) };
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
