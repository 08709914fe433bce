/** CPU used during a measured run, per party (server, redis, consumers, producer, the rest of the box). */
import { machineCpuSeconds, processCpuSeconds, processesCpuSeconds } from '../procs.js';
import type { StreamCpu } from './types.js';

export interface CpuMark {
  at: bigint;
  server: number;
  redis: number;
  consumers: number;
  producer: NodeJS.CpuUsage;
  machine: ReturnType<typeof machineCpuSeconds>;
}

export interface Pids {
  server: number;
  /** All the server's processes when it has several (nginx master + workers); default [server]. */
  serverPids?: number[];
  redis?: number;
  consumers: number[];
}

export function cpuMark(p: Pids): CpuMark {
  return {
    at: process.hrtime.bigint(),
    server: p.serverPids ? processesCpuSeconds(p.serverPids) : (processCpuSeconds(p.server) ?? 0),
    redis: p.redis === undefined ? 0 : (processCpuSeconds(p.redis) ?? 0),
    consumers: p.consumers.reduce((a, pid) => a + (processCpuSeconds(pid) ?? 0), 0),
    producer: process.cpuUsage(),
    machine: machineCpuSeconds(),
  };
}

export function cpuSince(p: Pids, m: CpuMark): StreamCpu {
  const now = cpuMark(p);
  const wall = Number(now.at - m.at) / 1e9 || 1;
  const producerUs = process.cpuUsage(m.producer);
  const server = (now.server - m.server) / wall;
  const redis = p.redis === undefined ? undefined : (now.redis - m.redis) / wall;
  const consumers = (now.consumers - m.consumers) / wall;
  const producer = (producerUs.user + producerUs.system) / 1e6 / wall;
  const machine = (now.machine.busy - m.machine.busy) / wall;
  const irq = (now.machine.irq - m.machine.irq) / wall;
  const steal = (now.machine.steal - m.machine.steal) / wall;
  const others = Math.max(0, machine - server - (redis ?? 0) - consumers - producer - irq - steal);
  return { server, ...(redis === undefined ? {} : { redis }), consumers, producer, irq, steal, others, machine };
}
