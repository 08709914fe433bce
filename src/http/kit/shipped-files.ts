/**
 * Files read at run time that ship beside the code in `src/<dir>/static/` (pages, scripts).
 * One lookup for both layouts: from src/ under tsx, and from dist/src/ once compiled (the
 * package ships src/<dir>/static, not a copy under dist).
 */
import { readFileSync } from 'node:fs';

/** `moduleUrl`: the caller's import.meta.url; `dir`: its folder under src/ (e.g. 'dashboard'). */
export function readShippedFile(moduleUrl: string, dir: string, name: string): string {
  for (const base of ['./static/', `../../../src/${dir}/static/`]) {
    try {
      return readFileSync(new URL(base + name, moduleUrl), 'utf8');
    } catch {
      /* try the next location */
    }
  }
  throw new Error(`shipped file src/${dir}/static/${name} not found`);
}
