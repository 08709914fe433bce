#!/usr/bin/env node
// Mapper of the original RestMQ map/reduce example: counts the words of one file and POSTs
// {"filename", "count"} to the `reducer` queue (POST / with queue=reducer, as map.py did).
// Usage: node map.mjs <file> [--url http://127.0.0.1:8888] [--freq]
//   --freq: also send the per-word frequencies (map_keyfreq.py): {"filename", "count", "wordfreqlist"}
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const url = flag('--url') ?? 'http://127.0.0.1:8888';
const freq = args.includes('--freq');
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: node map.mjs <file> [--url URL] [--freq]');
  process.exit(2);
}

const words = (await readFile(file, 'utf8')).split(/\s+/).filter(Boolean);
const value = { filename: basename(file), count: words.length };
if (freq) {
  const wordfreqlist = {};
  for (const w of words) {
    const word = w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
    if (word) wordfreqlist[word] = (wordfreqlist[word] ?? 0) + 1;
  }
  value.count = Object.keys(wordfreqlist).length;
  value.wordfreqlist = wordfreqlist;
}
const res = await fetch(`${url}/`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ queue: 'reducer', value: JSON.stringify(value) }),
});
if (!res.ok) {
  console.error(`map: ${res.status} ${await res.text()}`);
  process.exit(1);
}
console.log(`${value.filename}: ${value.count} -> ${(await res.text()).trim()}`);
