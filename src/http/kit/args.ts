/**
 * Request arguments as the original's framework read them (originals.md A.1.1): from the
 * query string, and from a form body; blank values dropped; the last value wins and the body
 * wins over the query; control characters become spaces and values are trimmed.
 * Decoding is strict: malformed percent-escapes or invalid UTF-8 are refused, never guessed.
 */
import { BrokerError } from '../../errors.js';

export type Args = Map<string, string>;

// eslint-disable-next-line no-control-regex -- these control characters are exactly what the original replaced
const CONTROL = /[\x00-\x08\x0e-\x1f]/g;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeComponent(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new BrokerError('INVALID_ENCODING');
  }
}

/** Cleans a value the way the original did before storing it. */
export function cleanValue(raw: string): string {
  return raw.replace(CONTROL, ' ').trim();
}

/** Parses `a=1&b=2` into `into` (later values overwrite earlier ones). */
export function parseForm(text: string, into: Args = new Map()): Args {
  if (text.length === 0) return into;
  for (const pair of text.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : cleanValue(decodeComponent(pair.slice(eq + 1)));
    if (value !== '') into.set(name, value);
  }
  return into;
}

/** Decodes a body as strict UTF-8. */
export function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new BrokerError('INVALID_UTF8');
  }
}

/** The query string part of a request URL. */
export function queryOf(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? '' : url.slice(i + 1);
}
