/** The package's version, read from its package.json (from src/ under tsx, from dist/ when built). */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  // src/cli/ is two levels below the package, dist/src/cli/ three.
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'restmq' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: the other depth
    }
  }
  return 'unknown';
}
