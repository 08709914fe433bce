/**
 * The dashboard's files: the page, its script and style (src/dashboard/static, plain files, no
 * build step) and uPlot from node_modules. Read once at start, served from memory.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readShippedFile } from '../http/kit/shipped-files.js';

export interface Asset {
  type: string;
  body: string;
}

/** The page's ES modules: dashboard.js imports the others. */
const SCRIPTS = ['dashboard.js', 'lib.js', 'charts.js', 'queue-table.js', 'consumers.js', 'queue-page.js', 'messages.js', 'actions.js'];

const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;

function ownFile(name: string): string {
  return readShippedFile(import.meta.url, 'dashboard', name);
}

function packageFile(specifier: string): string {
  return readFileSync(createRequire(import.meta.url).resolve(specifier), 'utf8');
}

/** The page, and the assets by the name the page asks for under /dashboard/assets/. */
export function loadAssets(): { page: Asset; assets: Map<string, Asset> } {
  return {
    page: { type: TYPES.html, body: ownFile('index.html') },
    assets: new Map<string, Asset>([
      ...SCRIPTS.map((name): [string, Asset] => [name, { type: TYPES.js, body: ownFile(name) }]),
      ['dashboard.css', { type: TYPES.css, body: ownFile('dashboard.css') }],
      ['uPlot.iife.min.js', { type: TYPES.js, body: packageFile('uplot/dist/uPlot.iife.min.js') }],
      ['uPlot.min.css', { type: TYPES.css, body: packageFile('uplot/dist/uPlot.min.css') }],
    ]),
  };
}
