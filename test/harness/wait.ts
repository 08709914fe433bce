/**
 * Waiting in tests: on a condition that is polled (`waitUntil`), or on one that is checked at
 * each event a client receives (`Waiters`). Never a bare sleep.
 */
import assert from 'node:assert/strict';

/**
 * Polls `check` every 50 ms until it returns true; fails with `what` after `timeoutMs`.
 * `check` may be synchronous or return a promise.
 */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * `check`, with a failure counted as "not yet": for conditions asked of servers that may still
 * be starting or failing over (a refused connection, CLUSTERDOWN, LOADING).
 */
export function failingAsFalse(check: () => Promise<boolean>): () => Promise<boolean> {
  return () => check().catch(() => false);
}

/**
 * Conditions woken by events: the owner calls `notify()` whenever something arrives; `wait`
 * resolves once its condition holds, and rejects after `timeoutMs` or once `end()` was called
 * without it holding.
 */
export class Waiters {
  private waiters: { cond: () => boolean; resolve: () => void; reject: (err: Error) => void; what: () => string }[] = [];
  private endedWith: string | undefined;

  notify(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.cond()) return true;
      w.resolve();
      return false;
    });
  }

  /** No more events will come (the stream ended): waits whose condition still fails reject now. */
  end(why: string): void {
    this.notify();
    this.endedWith = why;
    for (const w of this.waiters.splice(0)) w.reject(new Error(`${why} while waiting for ${w.what()}`));
  }

  wait(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (cond()) return Promise.resolve();
    if (this.endedWith !== undefined) return Promise.reject(new Error(`${this.endedWith} while waiting for ${what()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({
        cond,
        resolve: done,
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
        what,
      });
    });
  }
}
