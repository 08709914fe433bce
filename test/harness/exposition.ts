/** Prometheus text format 0.0.4, parsed strictly (for the /metrics tests), and a scrape. */
import assert from 'node:assert/strict';
import { req } from '../e2e/backends.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

/** Parses Prometheus text format 0.0.4 strictly enough to catch malformed output. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      assert.ok(m, `a comment line is HELP or TYPE: ${line}`);
      assert.match(m[2]!, NAME, `metric name ${m[2]!}`);
      if (m[1] === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]!), `type of ${m[2]!}: ${m[3]!}`);
        assert.ok(!types.has(m[2]!), `one TYPE line per metric: ${m[2]!}`);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    assert.ok(m, `a sample line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[2].length) {
        const l = LABEL.exec(m[2]);
        assert.ok(l, `labels of: ${line}`);
        labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      }
    }
    // Prometheus reads values as Go's ParseFloat does: NaN in any case, +Inf, -Inf.
    const value = Number(m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : m[3]);
    assert.ok(!Number.isNaN(value) || m[3]!.toLowerCase() === 'nan', `value of: ${line}`);
    const base = m[1]!.replace(/_(bucket|sum|count|total|created)$/, '');
    assert.ok(types.has(m[1]!) || types.has(base), `sample ${m[1]!} follows its TYPE line`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { types, samples };
}

export async function scrape(base: string): Promise<Exposition> {
  const r = await req(base, 'GET', '/metrics');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(r.text);
}

/** The value of one sample (0 when absent: counters start absent). */
export function value(e: Exposition, name: string, labels: Record<string, string>): number {
  const s = e.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value ?? 0;
}

