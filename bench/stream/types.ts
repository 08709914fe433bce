/** What the push-delivery suite measures and reports: one line per run, targets, the result. */
import type { Backend, BenchConfig } from '../config.js';
import type { StreamTransport } from './consumer-process.js';

export interface StreamCtx {
  config: BenchConfig;
  log: (msg: string) => void;
}

export type StreamKind = 'latency-idle' | 'latency-loaded' | 'fanout';

/** CPU used during a measured run, in cores (the box has 2). */
export interface StreamCpu {
  /** The broker child, or the bare broadcaster. */
  server: number;
  redis?: number;
  /** All consumer processes together. */
  consumers: number;
  /** This process: the producer (and the bench's bookkeeping). */
  producer: number;
  /** Interrupt time (loopback TCP in softirq, charged to no process). */
  irq: number;
  /** Time the hypervisor gave to other VMs. */
  steal: number;
  /** Everything else: other people's processes on the shared box. */
  others: number;
  machine: number;
}

/** Who served a line: the bare broadcaster, a broker backend, or a peer (bench/peers/). */
export type StreamServer = 'ceiling' | Backend | 'nchan';

export interface StreamLine {
  server: StreamServer;
  kind: StreamKind;
  transport: StreamTransport;
  consumers: number;
  /** Consumer processes the connections were spread over. */
  consumerProcesses: number;
  /** Measured wall time: from the first send to the last delivery. */
  seconds: number;
  /** Messages produced in the measured run. */
  sent: number;
  msgsPerSec: number;
  /** Messages received, summed over consumers (= sent × consumers when nothing is lost). */
  deliveries: number;
  deliveriesPerSec: number;
  /** Push latency (idle runs) or delivery lag (the others), over the sampled deliveries. */
  lagMs: { p50: number; p99: number; max: number; mean: number; samples: number };
  /** sent × consumers − deliveries when positive: messages some consumer never got. */
  missing: number;
  /** Deliveries beyond one per message per consumer (a consumer got more than `sent`). */
  extra: number;
  minPerConnection: number;
  maxPerConnection: number;
  /** Connections the server closed during the run (a consumer cut off). */
  cutOff: number;
  /** Producer errors, key mismatches, drain timeouts, client errors. */
  problems: string[];
  producer: string;
  /** Fan-out: mean messages per POST, and the producer's in-flight allowance (msgs) at the end. */
  batchMean?: number;
  allowanceEnd?: number;
  cpu: StreamCpu;
  /** CLOCK_MONOTONIC µs around the measured run (for --cpu-prof windows). */
  windowUs: [number, number];
  /** Resident memory of the server's processes at the end of a fan-out run, connections still open. */
  rssBytes?: number;
}

export interface StreamTarget {
  server: Backend;
  kind: StreamKind;
  transport: StreamTransport;
  consumers: number;
  text: string;
  pass: boolean;
}

export interface StreamSuiteResult {
  /** What shared the cores during the runs. */
  setup: string[];
  lines: StreamLine[];
  targets: StreamTarget[];
  failures: Array<{ server: StreamServer; error: string }>;
}
