/**
 * Counts what each client address holds open (streams, long polls) against a ceiling.
 * The address is Fastify's req.ip: the peer, or the X-Forwarded-For client behind a trusted proxy.
 */
export class PerAddress {
  private readonly open = new Map<string, number>();

  /** @param max the most open at once per address; 0 means no limit (nothing is counted). */
  constructor(private readonly max: number) {}

  /** Takes a slot: the function that gives it back (safe to call twice), or undefined when full. */
  acquire(address: string): (() => void) | undefined {
    if (this.max === 0) return () => {};
    const held = this.open.get(address) ?? 0;
    if (held >= this.max) return undefined;
    this.open.set(address, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(address) ?? 1) - 1;
      // Addresses with nothing open are forgotten, so the map stays as small as the live set.
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    };
  }

  /** How many `address` holds now (for tests and diagnostics). */
  held(address: string): number {
    return this.open.get(address) ?? 0;
  }
}
