// Runs the test suite with node's own runner (Node 20 has no glob for --test).
// Usage: node scripts/run-tests.mjs [path-substring...]   (no argument: every test file)
//
// A test file must finish within FILE_TIMEOUT. The few files that install the package from
// the npm registry (LONG_FILES) get longer and run beside the others, their report printed
// at the end, so they add little to the suite's wall time.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const FILE_TIMEOUT = 300_000;
const LONG_FILES = new Map([['test/docs/fresh-clone.test.ts', 1_200_000]]);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

function run(group, timeout, buffered) {
  const args = ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${timeout}`, ...group];
  const child = spawn(process.execPath, args, { stdio: ['ignore', buffered ? 'pipe' : 'inherit', buffered ? 'pipe' : 'inherit'] });
  let out = '';
  if (buffered) {
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
  }
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, out })));
}

const normal = files.filter((f) => !LONG_FILES.has(f));
const long = files.filter((f) => LONG_FILES.has(f));
const runs = [
  ...(normal.length > 0 ? [run(normal, FILE_TIMEOUT, false)] : []),
  ...long.map((f) => run([f], LONG_FILES.get(f), normal.length > 0)),
];
const results = await Promise.all(runs);
for (const r of results) if (r.out) process.stdout.write(r.out);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
