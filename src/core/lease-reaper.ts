/**
 * Returns expired leases to their queues on time, even when no request arrives: every
 * broker runs one, and the store makes concurrent reaping safe (SPEC section 6).
 */
import type { LeaseStore } from '../storage/lease-contract.js';
import type { Log } from './distributor.js';

export class LeaseReaper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  constructor(
    private readonly store: LeaseStore,
    private readonly log: Log,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.store
        .reapLeases()
        .catch((err: unknown) => this.log.warn({ err }, 'returning expired leases failed; retrying'))
        .finally(() => (this.running = undefined));
    }, this.everyMs).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
