// The uPlot charts: rates and depth, for all queues or one, drawn from the sampled points
// (the last hour; the range picker chooses how much of it).
/* global document, getComputedStyle, ResizeObserver, uPlot */
import { state } from './lib.js';

const clock = (v) => new Date(v * 1000).toLocaleTimeString('en-GB', { hour12: false });

/** Grid lines follow the colour scheme (a CSS variable, light or dark). */
const gridColour = () => getComputedStyle(document.documentElement).getPropertyValue('--grid').trim() || '#eef1f5';
const width = (host) => Math.max(200, host.clientWidth);

function chartOpts(el, series) {
  const grid = gridColour();
  return {
    width: width(el),
    height: 200,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // What the range shows, but at least the last minute, so a fresh page does not zoom
      // into a few milliseconds.
      x: { time: true, range: (_u, min, max) => { const hi = max ?? Date.now() / 1000; return [Math.max(hi - state.range, Math.min(min ?? hi, hi - 60)), hi]; } },
      y: { range: (_u, _min, max) => [0, Math.max(1, (max ?? 0) * 1.15)] },
    },
    axes: [
      { stroke: '#687385', grid: { stroke: grid }, ticks: { stroke: grid }, space: 90, values: (_u, splits) => splits.map(clock) },
      { stroke: '#687385', grid: { stroke: grid }, ticks: { stroke: grid }, size: 56 },
    ],
    // Only the first series is filled: stacked translucent fills read as a different colour.
    series: [{}, ...series.map(([label, color], i) => ({ label, stroke: color, width: 1.75, ...(i === 0 ? { fill: color + '18' } : {}), points: { show: false } }))],
  };
}

const RATE_SERIES = [['enqueued/s', '#2563eb'], ['delivered/s', '#16a34a'], ['acked/s', '#7c3aed']];
const DEPTH_SERIES = [['ready', '#0ea5e9'], ['in flight', '#d97706'], ['delayed', '#64748b'], ['dead', '#dc2626']];
const AGE_SERIES = [['oldest ready message, s', '#0f766e']];

function ensureChart(id, series) {
  if (state.charts[id]) return state.charts[id];
  const host = document.getElementById(id);
  const chart = new uPlot(chartOpts(host, series), [[], ...series.map(() => [])], host);
  new ResizeObserver(() => chart.setSize({ width: width(host), height: 200 })).observe(host);
  return (state.charts[id] = chart);
}

/** Columns of the point arrays: all queues (queue null) or one queue (a gap where the
 *  broker's history kept totals only). */
function seriesOf(queue, indexes) {
  const xs = [];
  const ys = indexes.map(() => []);
  const from = (state.points.at(-1)?.t ?? 0) - state.range * 1000;
  for (const p of state.points) {
    if (p.t < from) continue;
    xs.push(p.t / 1000);
    const row = queue === null ? p.all : p.q[queue];
    indexes.forEach((ix, n) => ys[n].push(row ? row[ix] : queue in p.q || Object.keys(p.q).length ? 0 : null));
  }
  // uPlot needs two x values to span a time axis: start a new chart a minute back, empty.
  while (xs.length < 2) {
    xs.unshift((xs[0] ?? Date.now() / 1000) - 60);
    for (const y of ys) y.unshift(null);
  }
  return [xs, ...ys];
}

export function drawCharts() {
  if (state.view === 'overview') {
    ensureChart('chart-rates', RATE_SERIES).setData(seriesOf(null, [4, 5, 6]));
    ensureChart('chart-depth', DEPTH_SERIES).setData(seriesOf(null, [0, 1, 2, 3]));
    ensureChart('chart-age', AGE_SERIES).setData(seriesOf(null, [7]));
  } else if (state.view === 'queue') {
    ensureChart('chart-q-rates', RATE_SERIES).setData(seriesOf(state.queue, [4, 5, 6]));
    ensureChart('chart-q-depth', DEPTH_SERIES).setData(seriesOf(state.queue, [0, 1, 2, 3]));
    ensureChart('chart-q-age', AGE_SERIES).setData(seriesOf(state.queue, [7]));
  }
}
