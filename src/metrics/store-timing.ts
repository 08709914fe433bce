/**
 * Times every call into the store (restmq_store_call_duration_seconds{op}). A Proxy around the
 * store object, so no backend and no caller changes: each method is wrapped once, on first
 * use, and a call then costs two clock reads and one histogram observe. Only the method name
 * becomes a label. Non-function properties (kind, brokerId) pass through untouched.
 */
import type { BrokerMetrics } from './registry.js';

type Method = (...args: unknown[]) => unknown;

export function timeStore<S extends object>(store: S, metrics: BrokerMetrics): S {
  const wrapped = new Map<PropertyKey, Method>();
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        const method = value as Method;
        fn = (...args: unknown[]) => {
          const start = performance.now();
          const done = () => metrics.observeStore(prop, (performance.now() - start) / 1000);
          const result = method.apply(target, args);
          if (result instanceof Promise) result.then(done, done);
          else done();
          return result;
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
