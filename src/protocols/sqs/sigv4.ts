/**
 * AWS Signature Version 4 verification of an SQS request (header form, `Authorization:
 * AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/<service>/aws4_request, SignedHeaders=...,
 * Signature=...`), recomputed from the request as the SDKs sign it: canonical request, string
 * to sign, HMAC chain over the secret. Pure: the caller finds the secret of the access key id.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedRequest {
  method: string;
  /** Path and query string, as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Requests signed more than this far from the broker's clock are refused (as AWS: 15 minutes). */
const MAX_SKEW_MS = 15 * 60 * 1000;

export function parseAuthorization(header: string | undefined): Credential | undefined {
  if (!header?.startsWith('AWS4-HMAC-SHA256 ')) return undefined;
  const m = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;-]+)\s*,\s*Signature=([0-9a-f]{64})/.exec(header);
  if (!m) return undefined;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!.split(';'), signature: m[6]! };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding, as SigV4 wants it. */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return [encode(dec(eq < 0 ? p : p.slice(0, eq))), encode(eq < 0 ? '' : dec(p.slice(eq + 1)))] as const;
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** The path as sent, each segment encoded once more, as the SDKs sign it for every service but S3. */
function canonicalPath(path: string): string {
  return path.split('/').map(encode).join('/') || '/';
}

/** Whether the request carries a valid signature by `secret`, made within 15 minutes. */
export function verifySignature(req: SignedRequest, cred: Credential, secret: string, now = Date.now()): boolean {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const amzDate = header('x-amz-date');
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== cred.date) return false;
  const t = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(now - t) > MAX_SKEW_MS) return false;
  if (!cred.signedHeaders.includes('host')) return false;
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  let canonical: string;
  try {
    const headers = cred.signedHeaders.map((h) => `${h}:${(header(h) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    canonical = [req.method, canonicalPath(path), canonicalQuery(query), headers, cred.signedHeaders.join(';'),
      header('x-amz-content-sha256') ?? sha256(req.body)].join('\n');
  } catch {
    return false;
  }
  const scope = `${cred.date}/${cred.region}/${cred.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac('AWS4' + secret, cred.date), cred.region), cred.service), 'aws4_request');
  const expected = createHmac('sha256', key).update(toSign, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(cred.signature, 'hex'));
}
