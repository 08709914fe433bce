/**
 * Redis failures as BrokerErrors, for both Redis stores (redis-store.ts, cluster-store.ts) and
 * the parts they hand `run` to.
 */
import { ReplyError } from 'ioredis';
import { BrokerError } from '../../errors.js';

/** Redis answers that mean "not now" rather than "bug": still STORE_UNAVAILABLE. NOSCRIPT,
 *  MOVED and ASK reach us while a cluster slot migrates (a script sent on to the importing node
 *  that has not loaded it yet, a redirection ioredis did not finish); none ran the command. */
const TRANSIENT_REPLY = /^(OOM|LOADING|BUSY|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOAUTH|WRONGPASS|NOSCRIPT|MOVED|ASK)\b/;

/**
 * The one mapping from ioredis failures to BrokerError. Connection loss, timeouts and
 * transient server states are STORE_UNAVAILABLE; any other Redis reply error (a script
 * bug, a foreign key of the wrong type) is INTERNAL. The cause is kept for the logs.
 */
export function storeError(err: unknown): BrokerError {
  if (err instanceof BrokerError) return err;
  if (err instanceof ReplyError && !TRANSIENT_REPLY.test((err as Error).message)) {
    return new BrokerError('INTERNAL', undefined, { cause: err });
  }
  return new BrokerError('STORE_UNAVAILABLE', undefined, { cause: err });
}

/** Runs one Redis call, mapping its failure. */
export async function run<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw storeError(err);
  }
}

/** How a store part runs one store call: through the store's error mapping (and its timing). */
export type Run = <T>(call: () => Promise<T>) => Promise<T>;
