#!/usr/bin/env node
// Reducer of the original RestMQ map/reduce example: one COMET consumer on /c/reducer that
// keeps running totals (reduce.py), or merges word frequencies with --freq (reduce_keyfreq.py).
// It splits the stream on CRLF and parses one JSON envelope per line, as the original did;
// the envelope's `value` is itself a JSON string written by map.mjs.
// Usage: node reduce.mjs [--url http://127.0.0.1:8888] [--freq] [--expect N]
//   --expect N: exit after N results (for scripts and tests); otherwise run until killed.
import http from 'node:http';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const url = flag('--url') ?? 'http://127.0.0.1:8888';
const expect = Number(flag('--expect') ?? Infinity);
const freq = args.includes('--freq');

let total = 0;
let results = 0;
const frequencies = {};

function onMessage(envelope) {
  const job = JSON.parse(envelope.value);
  results++;
  if (freq) {
    for (const [word, n] of Object.entries(job.wordfreqlist)) frequencies[word] = (frequencies[word] ?? 0) + n;
    console.log(`${envelope.key} ${job.filename}: ${job.count} distinct words; ${Object.keys(frequencies).length} so far`);
  } else {
    total += job.count;
    console.log(`${envelope.key} ${job.filename}: ${job.count} words; total ${total}`);
  }
  if (results >= expect) {
    if (freq) {
      const top = Object.entries(frequencies).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10);
      console.log(`top: ${JSON.stringify(top)}`);
      console.log(`distinct: ${Object.keys(frequencies).length}`);
    } else console.log(`total: ${total}`);
    process.exit(0);
  }
}

http.get(`${url}/c/reducer`, (res) => {
  if (res.statusCode !== 200) {
    console.error(`reduce: ${res.statusCode}`);
    process.exit(1);
  }
  console.log('reducer: listening on /c/reducer');
  res.setEncoding('utf8');
  let buffer = '';
  res.on('data', (chunk) => {
    buffer += chunk;
    const lines = buffer.split('\r\n');
    buffer = lines.pop();
    for (const line of lines) {
      if (line.length < 2) continue; // heartbeats are empty lines
      const envelope = JSON.parse(line);
      if (envelope === null) process.exit(0); // the queue was deleted
      onMessage(envelope);
    }
  });
  res.on('end', () => process.exit(results >= expect ? 0 : 1));
}).on('error', (err) => {
  console.error(`reduce: ${err.message}`);
  process.exit(1);
});
