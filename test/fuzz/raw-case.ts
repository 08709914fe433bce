/** A fuzz case: raw bytes for test/harness/raw-http.ts's sendPieces, and how to cut them. */
import type { RawSend } from '../harness/raw-http.js';

export interface RawCase extends RawSend {
  /** What the case tries (for failure messages). */
  kind: string;
  /** The request path, for checks that depend on the route. */
  path?: string;
}

/** Cuts bytes into pieces at random places (a client writing in odd chunks). */
export function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out.filter((b) => b.length > 0);
}
