/**
 * `restmq serve --workers N`: this process becomes a supervisor that forks N broker processes
 * (node:cluster). They share the listening socket — the supervisor accepts connections and hands
 * them out in turn — and share the queues through the Redis store, exactly as brokers on several
 * hosts do. The supervisor opens no store and serves nothing itself.
 *
 * A worker that dies after it was listening is replaced; one that dies before (bad store, port in
 * use) stops the whole start with its exit code, since a replacement would fail the same way.
 * SIGTERM/SIGINT stop every worker gracefully; a second signal kills them.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** The IPC message a worker sends once it listens. */
export const LISTENING = 'restmq:listening';

export function isWorkerProcess(): boolean {
  return cluster.isWorker;
}

/**
 * In a worker: tells the supervisor that this worker serves. A Ctrl-C reaches the whole process
 * group; the worker leaves it to the supervisor, whose SIGTERM then stops it gracefully (a
 * second signal would otherwise cut its graceful stop short).
 */
export function announceListening(): void {
  if (!cluster.isWorker) return;
  process.on('SIGINT', () => {});
  process.send?.({ type: LISTENING });
}

/** Pause before a dead worker is replaced, so one that keeps dying does not spin. */
const RESTART_DELAY_MS = 1000;

export function superviseWorkers(count: number, logger: Logger): void {
  const listening = new WeakSet<Worker>();
  let stopping = false;
  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (msg: unknown) => {
      if (typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === LISTENING) listening.add(worker);
    });
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('stopped');
        process.exit();
      }
      return;
    }
    if (!listening.has(worker)) {
      // It never served: the same start would fail again. Stop the others and report its code.
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exitCode = typeof code === 'number' && code !== 0 ? code : 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    logger.error({ worker: worker.process.pid, code, signal }, 'worker died: starting another');
    setTimeout(() => stopping || fork(), RESTART_DELAY_MS).unref();
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: killing the workers');
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'shutting down');
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  logger.info({ workers: count }, 'starting workers');
  for (let i = 0; i < count; i++) fork();
}
