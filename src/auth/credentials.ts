/**
 * Credentials a request carries: HTTP Basic (the original's only scheme on HTTP routes), the
 * `auth=user:password` cookie (the original's WebSocket scheme, also taken on SSE and COMET),
 * and API keys (`Authorization: Bearer <key>` or `?authkey=<key>`). Comparisons are constant
 * time: both sides are hashed first, so neither the length nor a common prefix shows in timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseCookie } from 'cookie';

export interface UserPassword {
  username: string;
  password: string;
}

/** `user:password` split at the first colon; undefined without a colon. */
export function splitUserPassword(text: string): UserPassword | undefined {
  const at = text.indexOf(':');
  return at < 0 ? undefined : { username: text.slice(0, at), password: text.slice(at + 1) };
}

/**
 * `Authorization: Basic <base64(user:password)>`: two parts separated by white space, as the
 * original split it. The scheme is matched without regard to case (RFC 7617; the original
 * wanted exactly `Basic`, which no client depended on).
 */
export function parseBasic(header: string | undefined): UserPassword | undefined {
  if (header === undefined) return undefined;
  const parts = header.trim().split(/\s+/);
  if (parts.length !== 2 || parts[0]!.toLowerCase() !== 'basic') return undefined;
  const encoded = parts[1]!;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return undefined;
  return splitUserPassword(Buffer.from(encoded, 'base64').toString('utf8'));
}

/** `Authorization: Bearer <key>`. */
export function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** The `auth` cookie, `user:password` in plain text (the original's format). */
export function parseAuthCookie(header: string | undefined): UserPassword | undefined {
  if (header === undefined) return undefined;
  let value: string | undefined;
  try {
    value = parseCookie(header)['auth'];
  } catch {
    return undefined;
  }
  return value === undefined ? undefined : splitUserPassword(value);
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Equal strings, compared in constant time over their SHA-256 digests. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Both parts must match; both are compared whatever the first one gave. */
export function credentialsMatch(given: UserPassword, username: string, password: string): boolean {
  const user = safeEqual(given.username, username);
  const pass = safeEqual(given.password, password);
  return user && pass;
}
