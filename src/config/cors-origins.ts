/** --cors-origin, parsed: `*`, or the exact origins (scheme://host[:port]) allowed. */
import { ConfigError } from './store-url.js';

/** The parsed --cors-origin: `*`, or the exact origins allowed. */
export type CorsOrigins = '*' | readonly string[];

/** Parses the flag's value: `*`, or comma-separated origins such as `https://app.example.com`. */
export function parseCorsOrigins(value: string): CorsOrigins {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new ConfigError('cors-origin: expected * or comma-separated origins');
  if (items.includes('*')) {
    if (items.length > 1) throw new ConfigError('cors-origin: * allows every origin: give it alone');
    return '*';
  }
  for (const origin of items) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError(`cors-origin: not an origin: ${JSON.stringify(origin)} (expected scheme://host[:port])`);
    }
    // An origin is scheme, host and port only: a path or a trailing slash would never match.
    if (url.origin !== origin) throw new ConfigError(`cors-origin: not an origin: ${JSON.stringify(origin)} (did you mean ${url.origin}?)`);
  }
  return items;
}

