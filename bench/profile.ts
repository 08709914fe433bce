/**
 * Self-time summary of a V8 .cpuprofile (written by `node --cpu-prof`): the top functions and
 * the share of each layer (node internals, each npm package, the broker's src/, GC).
 * Also usable alone: `node --import tsx bench/profile.ts <file.cpuprofile|dir> [top]`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  file: string;
  /** Sampled wall time of the main thread, ms. */
  totalMs: number;
  /** Of which not idle, ms. */
  busyMs: number;
  top: Array<{ name: string; where: string; selfMs: number; pct: number }>;
  layers: Array<{ layer: string; selfMs: number; pct: number }>;
}

/**
 * The newest main-thread profile under `path` (V8 names them CPU.<date>.<time>.<pid>.<thread>.<seq>;
 * thread 0 is the main thread, tsx's module-loader thread writes a second, small one).
 */
export function pickProfile(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ file: join(path, f), main: f.split('.')[4] === '0', mtime: statSync(join(path, f)).mtimeMs }))
    .sort((a, b) => Number(b.main) - Number(a.main) || b.mtime - a.mtime);
  if (!files[0]) throw new Error(`no .cpuprofile in ${path}`);
  return files[0].file;
}

function shortUrl(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

function layerOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: core (http, net, streams, ...)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.includes('/src/')) return 'broker src/';
  return 'other';
}

/** `window`: only samples taken in [start, end] (CLOCK_MONOTONIC µs, as the profile's timestamps). */
export function summariseProfile(path: string, topN = 20, window?: [number, number]): ProfileSummary {
  const file = pickProfile(path);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Self time per node from the samples and their time deltas (µs).
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (window && (at < window[0] || at > window[1])) continue;
    const dt = deltas[i + 1] ?? 0;
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + dt);
  }
  let total = 0;
  let idle = 0;
  const fns = new Map<string, { name: string; where: string; us: number }>();
  const layers = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const name = node.callFrame.functionName || '(anonymous)';
    const where = node.callFrame.url ? `${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    const entry = fns.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    fns.set(key, entry);
    const layer = layerOf(node);
    layers.set(layer, (layers.get(layer) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number) => (busy > 0 ? (100 * us) / busy : 0);
  return {
    file,
    totalMs: total / 1000,
    busyMs: busy / 1000,
    top: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((f) => ({ name: f.name, where: f.where, selfMs: f.us / 1000, pct: pct(f.us) })),
    layers: [...layers.entries()].sort((a, b) => b[1] - a[1]).map(([layer, us]) => ({ layer, selfMs: us / 1000, pct: pct(us) })),
  };
}

export function formatProfile(s: ProfileSummary): string {
  const out: string[] = [];
  out.push(`profile: ${s.file}`);
  out.push(`main thread sampled ${(s.totalMs / 1000).toFixed(1)} s, busy ${(s.busyMs / 1000).toFixed(1)} s (${((100 * s.busyMs) / Math.max(1, s.totalMs)).toFixed(0)} %); shares below are of busy time`);
  out.push('');
  out.push('self time by layer');
  for (const l of s.layers) out.push(`  ${l.pct.toFixed(1).padStart(5)} %  ${l.layer}`);
  out.push('');
  out.push(`top ${s.top.length} functions by self time`);
  for (const f of s.top) out.push(`  ${f.pct.toFixed(1).padStart(5)} %  ${f.name.padEnd(36)} ${f.where}`);
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [path, top] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node --import tsx bench/profile.ts <file.cpuprofile|dir> [top]\n');
    process.exit(2);
  }
  process.stdout.write(formatProfile(summariseProfile(path, Number(top ?? 20))) + '\n');
}
