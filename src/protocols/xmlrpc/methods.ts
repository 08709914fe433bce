/**
 * The XML-RPC methods of `/xmlrpc` (the original's first interface, originals.md A.16):
 * `set`/`get` as in examples/test_xmlrpc.py, plus stats, policy, status and introspection.
 * Each method names the JSON-protocol command it is guarded as (auth/route-guards.ts), so the
 * ACL treats an XML-RPC call exactly like the same JSON command.
 */
import type { XmlRpcStruct, XmlRpcValue } from '@foxglove/xmlrpc';
import type { QueueService, TakenMessage } from '../../core/queue-service.js';
import { BrokerError } from '../../errors.js';

/** Raised for a call whose arguments do not fit the method's signature (fault -32602). */
export class InvalidParams extends Error {}

export interface CallContext {
  service: QueueService;
  /** Called with what a `get` took, once the reply is known to be written or not. */
  taken(queue: string, messages: TakenMessage[]): void;
}

export interface MethodSpec {
  help: string;
  /** XML-RPC signatures: [return type, ...parameter types]. */
  signatures: string[][];
  /** The JSON command this call counts as for the ACL; undefined: introspection, never checked. */
  command?: (args: XmlRpcValue[]) => { cmd: string; queue?: unknown; policy?: unknown; status?: unknown };
  run(ctx: CallContext, args: XmlRpcValue[]): Promise<XmlRpcValue>;
}

function strings(args: XmlRpcValue[], min: number, max: number): string[] {
  if (args.length < min || args.length > max || !args.every((a) => typeof a === 'string')) {
    throw new InvalidParams(min === max ? `expects ${min} string argument(s)` : `expects ${min} to ${max} string arguments`);
  }
  return args as string[];
}

const POLICIES = ['broadcast', 'roundrobin'] as const;
const STATUS_WORDS: Record<string, 'started' | 'stopped'> = { start: 'started', started: 'started', stop: 'stopped', stopped: 'stopped' };

export const METHODS: Readonly<Record<string, MethodSpec>> = {
  set: {
    help: 'set(queue, value): adds a message; returns its key (<queue>:<n>).',
    signatures: [['string', 'string', 'string']],
    command: (a) => ({ cmd: 'add', queue: a[0] }),
    run: async ({ service }, args) => {
      const [queue, value] = strings(args, 2, 2);
      const [key] = await service.add(queue!, [value]);
      return key!;
    },
  },
  get: {
    help: 'get(queue): takes the oldest message; returns {key, value}. An empty queue is fault 404.',
    signatures: [['struct', 'string']],
    command: (a) => ({ cmd: 'get', queue: a[0] }),
    run: async ({ service, taken }, args) => {
      const [queue] = strings(args, 1, 1);
      const { messages, stopped } = await service.take(queue!, 1);
      const m = messages[0];
      if (!m) throw new BrokerError('QUEUE_EMPTY', stopped ? 'queue is stopped' : undefined);
      taken(queue!, messages);
      return { key: m.key, value: m.value };
    },
  },
  stats: {
    help: 'stats(queue): {queue, len, status, policy, ready, inflight, delayed, dead, consumers, polls}, as GET /stats/<queue>.',
    signatures: [['struct', 'string']],
    command: (a) => ({ cmd: 'stats', queue: a[0] }),
    run: async ({ service }, args) => {
      const [queue] = strings(args, 1, 1);
      return { ...(await service.stats(queue!)) } as XmlRpcStruct;
    },
  },
  policy: {
    help: 'policy(queue) returns broadcast or roundrobin; policy(queue, name) sets it (admin) and returns it.',
    signatures: [['string', 'string'], ['string', 'string', 'string']],
    command: (a) => ({ cmd: 'policy', queue: a[0], policy: a[1] }),
    run: async ({ service }, args) => {
      const [queue, policy] = strings(args, 1, 2);
      if (policy !== undefined) {
        if (!(POLICIES as readonly string[]).includes(policy)) throw new InvalidParams(`policy must be broadcast or roundrobin, not ${policy}`);
        await service.setPolicy(queue!, policy as (typeof POLICIES)[number]);
      }
      return service.getPolicy(queue!);
    },
  },
  status: {
    help: 'status(queue) returns started or stopped; status(queue, start|stop) changes it (admin) and returns it.',
    signatures: [['string', 'string'], ['string', 'string', 'string']],
    command: (a) => ({ cmd: 'status', queue: a[0], status: a[1] }),
    run: async ({ service }, args) => {
      const [queue, word] = strings(args, 1, 2);
      if (word !== undefined) {
        const status = STATUS_WORDS[word];
        if (status === undefined) throw new InvalidParams(`status must be start or stop, not ${word}`);
        await service.setStatus(queue!, status);
      }
      return service.getStatus(queue!);
    },
  },
  'system.listMethods': {
    help: 'system.listMethods(): the names of every method.',
    signatures: [['array']],
    run: async (_ctx, args) => {
      strings(args, 0, 0);
      return Object.keys(METHODS).concat('system.multicall').sort();
    },
  },
  'system.methodHelp': {
    help: 'system.methodHelp(name): what a method does.',
    signatures: [['string', 'string']],
    run: async (_ctx, args) => specOf(strings(args, 1, 1)[0]!)?.help ?? MULTICALL_HELP,
  },
  'system.methodSignature': {
    help: 'system.methodSignature(name): the signatures of a method, [return type, parameter types...].',
    signatures: [['array', 'string']],
    run: async (_ctx, args) => specOf(strings(args, 1, 1)[0]!)?.signatures ?? [['array', 'array']],
  },
};

export const MULTICALL_HELP = 'system.multicall([{methodName, params}, ...]): runs the calls in order; each result is [value] or a fault struct.';

/** The spec of a listed method; throws for an unknown name (system.multicall answers undefined). */
function specOf(name: string): MethodSpec | undefined {
  if (name === 'system.multicall') return undefined;
  const spec = Object.hasOwn(METHODS, name) ? METHODS[name] : undefined;
  if (!spec) throw new InvalidParams(`no method named ${name}`);
  return spec;
}
