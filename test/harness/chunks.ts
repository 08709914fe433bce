/** Text or bytes cut into chunks, as a socket may deliver them (for parsers and raw clients). */

/**
 * Cuts `whole` at the positions `at` (each taken modulo length + 1, repeats counted once).
 * Pieces come in order and may be empty (a cut at 0, or at the end).
 */
export function cutAt(whole: string, at: readonly number[]): string[];
export function cutAt(whole: Buffer, at: readonly number[]): Buffer[];
export function cutAt(whole: string | Buffer, at: readonly number[]): (string | Buffer)[] {
  const points = [...new Set(at.map((a) => a % (whole.length + 1)))].sort((a, b) => a - b);
  const piece = (from: number, to?: number) => (typeof whole === 'string' ? whole.slice(from, to) : whole.subarray(from, to));
  const out: (string | Buffer)[] = [];
  let from = 0;
  for (const p of points) {
    out.push(piece(from, p));
    from = p;
  }
  out.push(piece(from));
  return out;
}
