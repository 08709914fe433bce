/**
 * Composition root: config → store → QueueService → app → listen; signals and shutdown.
 * Also used in-process by tests (startBroker) with a config object.
 */
import { pino, type Logger } from 'pino';
import { describeStore, type Config } from './config/load.js';
import { Activity } from './core/activity.js';
import { DEFAULT_DISTRIBUTOR_OPTIONS, Distributor } from './core/distributor.js';
import { LeaseReaper } from './core/lease-reaper.js';
import { LongPoll } from './core/long-poll.js';
import { DueWaker } from './core/due-waker.js';
import { PollReporter } from './core/consumer-census.js';
import { QueueService } from './core/queue-service.js';
import { buildApp, type App } from './http/app.js';
import { exposureWarning } from './http/limits.js';
import { openStore } from './storage/open.js';
import { BrokerMetrics } from './metrics/registry.js';
import { timeStore } from './metrics/store-timing.js';
import { startSyslog, type SyslogServer } from './syslog/server.js';

export interface RunningBroker {
  /** Base URL, e.g. http://127.0.0.1:8888 */
  url: string;
  port: number;
  /** The syslog listeners' bound ports, when --syslog-port / --syslog-udp-port are given. */
  syslog?: { tcpPort?: number; udpPort?: number };
  /** Graceful stop: refuse new connections, finish in-flight requests, close the store. */
  close(): Promise<void>;
}

export async function startBroker(config: Readonly<Config>, logger: Logger = pino({ level: config.logLevel })): Promise<RunningBroker> {
  const activity = new Activity();
  const metrics = new BrokerMetrics(activity, config.metricsMaxQueues);
  const store = timeStore(await openStore(config.store, config.sqliteSync), metrics);
  const distributor = new Distributor(store, logger, activity, {
    ...DEFAULT_DISTRIBUTOR_OPTIONS,
    heartbeatMs: config.heartbeatSeconds * 1000,
    cometHeartbeatMs: config.cometHeartbeatSeconds * 1000,
    stallMs: config.stallTimeoutSeconds * 1000,
  });
  const longPoll = new LongPoll(store, logger, activity);
  const dueWaker = new DueWaker(store, [distributor, longPoll], logger);
  distributor.onFirstConsumer = longPoll.onFirstConsumer = (queue) => dueWaker.watch(queue);
  const pollReporter = new PollReporter(store, longPoll, logger);
  const service = new QueueService(store, { maxMessageBytes: config.maxMessageBytes }, { activity, longPoll, streams: distributor, pollReports: pollReporter });
  const reaper = new LeaseReaper(store, logger);
  let app: App;
  try {
    app = buildApp({ config, activity, metrics, service, authkeys: store, presque: store.presque, distributor, logger, maxMessageBytes: config.maxMessageBytes, ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}) });
  } catch (err) {
    // A bad ACL file (or any other setup error) must not leave the store open.
    await store.close();
    throw err;
  }
  // Before listening: the warning is about the configuration, whether or not the address can be bound.
  const exposure = exposureWarning(config);
  if (exposure) logger.warn({ listen: config.listen }, exposure);
  let address: string;
  let syslog: SyslogServer | undefined;
  try {
    await distributor.start();
    await longPoll.start();
    await dueWaker.start();
    pollReporter.start();
    reaper.start();
    address = await app.fastify.listen({ port: config.port, host: config.listen });
    if (config.syslog) {
      syslog = await startSyslog(
        { ...config.syslog, maxLineBytes: Math.min(config.syslog.maxLineBytes, config.maxMessageBytes), ...(config.acl ? { acl: config.acl } : {}) },
        { service, metrics, logger },
      );
    }
  } catch (err) {
    await app.fastify.close();
    await reaper.stop();
    await pollReporter.stop();
    await dueWaker.stop();
    await longPoll.stop();
    await distributor.stop();
    await store.close();
    throw err;
  }
  const port = (app.fastify.server.address() as { port: number }).port;
  logger.info({ url: address, store: describeStore(config.store) }, 'listening');
  let closing: Promise<void> | undefined;
  return {
    url: `${config.tlsCert ? 'https' : 'http'}://${config.listen.includes(':') ? `[${config.listen}]` : config.listen}:${port}`,
    port,
    ...(syslog ? { syslog: { tcpPort: syslog.tcpPort, udpPort: syslog.udpPort } } : {}),
    close: () =>
      (closing ??= (async () => {
        app.beginShutdown();
        await syslog?.close();
        // Streams first: they never finish on their own, and their unwritten messages go back.
        await dueWaker.stop();
        await distributor.stop();
        await longPoll.stop();
        await pollReporter.stop();
        await reaper.stop();
        await app.fastify.close();
        await store.close();
        logger.info('stopped');
      })()),
  };
}

/** Runs until one of `signals`, then shuts down gracefully; a second signal exits at once. */
export function stopOnSignals(broker: RunningBroker, logger: Logger, signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    broker.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
