/**
 * presque's bookkeeping as the presque routes use it: per-queue counters, the worker registry
 * and uniq tokens, kept by the store (storage/presque-contract.ts) so every broker on it agrees.
 */
import type { PresqueCounters, PresqueStore } from '../storage/presque-contract.js';

export type { PresqueCounters };
export type PresqueBooks = PresqueStore;
