/** A fuzz case: raw bytes for test/harness/raw-http.ts's sendPieces, and how to cut them. */
import { cutAt } from '../harness/chunks.js';
import type { RawSend } from '../harness/raw-http.js';

export interface RawCase extends RawSend {
  /** What the case tries (for failure messages). */
  kind: string;
  /** The request path, for checks that depend on the route. */
  path?: string;
}

/** Cuts bytes into pieces at random places (a client writing in odd chunks); no empty piece. */
export function cut(bytes: Buffer, at: number[]): Buffer[] {
  return cutAt(bytes, at).filter((b) => b.length > 0);
}
