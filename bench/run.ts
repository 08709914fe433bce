/**
 * `npm run bench`: throughput and latency of the broker's message routes against a bare
 * Fastify ceiling, then push delivery (COMET/SSE/WebSocket) against a bare Node broadcaster,
 * both measured in the same run. See bench/README.md.
 * Never exits non-zero for a missed target; only for a bench that could not run.
 */
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { loadBenchConfig } from './config.js';
import { pickLoadTool } from './http-load.js';
import { cleanup, installSignalCleanup } from './procs.js';
import { formatProfile, summariseProfile } from './profile.js';
import { formatResults, header, writeResults } from './report.js';
import { formatStreamResults } from './stream/report.js';
import { profileStream, runStreamSuite } from './stream/suite.js';
import type { StreamSuiteResult } from './stream/types.js';
import { profileBroker, runSuite, type Ctx, type SuiteResult } from './suite.js';

installSignalCleanup();
const config = loadBenchConfig();
const tool = pickLoadTool();
const info = { startedAt: new Date(), tool: tool.name === 'autocannon' ? 'autocannon 8 (in this process)' : tool.name, config };
const ctx: Ctx = { config, tool, log: (msg) => process.stderr.write(`  … ${msg}\n`) };

try {
  process.stdout.write(header(info) + '\n\n');
  if (config.profileDir) {
    mkdirSync(config.profileDir, { recursive: true });
    const scenario = config.profileScenario;
    if (scenario === 'sse-fanout' || scenario === 'ws-fanout') {
      const transport = scenario === 'sse-fanout' ? 'sse' : 'ws';
      const line = await profileStream(ctx, config.profileDir, transport, config.profileBackend);
      process.stdout.write(
        `profiled run: ${config.profileBackend} ${transport} broadcast fan-out to ${line.consumers}: ${Math.round(line.deliveriesPerSec).toLocaleString('en-US')} deliveries/s, ` +
          `lag p50 ${line.lagMs.p50.toFixed(2)} ms / p99 ${line.lagMs.p99.toFixed(2)} ms, lost ${line.missing} under --cpu-prof (slower than unprofiled);\n`,
      );
      process.stdout.write(
        `broker ${line.cpu.server.toFixed(2)} cores, redis-server ${(line.cpu.redis ?? 0).toFixed(2)}, consumer processes ${line.cpu.consumers.toFixed(2)}, producer ${line.cpu.producer.toFixed(2)}, others ${line.cpu.others.toFixed(2)}\n`,
      );
      if (line.problems.length) process.stdout.write(`problems: ${line.problems.join('; ')}\n`);
      process.stdout.write('\n' + formatProfile(summariseProfile(config.profileDir, 25, line.windowUs)) + '\n');
    } else {
      const line = await profileBroker(ctx, config.profileDir, scenario);
      const empty = line.scenario === 'get' ? `, ${line.empty} empty` : '';
      process.stdout.write(`profiled run: redis ${line.route}: ${Math.round(line.msgsPerSec).toLocaleString('en-US')} msgs/s${empty} under --cpu-prof (slower than unprofiled);\n`);
      process.stdout.write(`broker ${line.cpu.server.toFixed(2)} cores, redis-server ${(line.cpu.redis ?? 0).toFixed(2)}, generator ${line.cpu.generator.toFixed(2)}, others ${line.cpu.others.toFixed(2)}\n\n`);
      // Only the samples of the measured run: not start-up, module loading or the warm-up.
      process.stdout.write(formatProfile(summariseProfile(config.profileDir, 25, line.windowUs)) + '\n');
    }
  } else {
    let result: SuiteResult | undefined;
    let stream: StreamSuiteResult | undefined;
    if (config.suites.http) {
      result = await runSuite(ctx);
      process.stdout.write(formatResults(result) + '\n\n');
    }
    if (config.suites.stream) {
      stream = await runStreamSuite(ctx, cpus().length);
      process.stdout.write(formatStreamResults(stream, config.stream.loadedRate) + '\n\n');
    }
    process.stdout.write(`results: ${writeResults(info, result, stream ? { stream } : {})}\n`);
    // A backend that could not run is a broken bench, not a missed target.
    if ((result?.failures.length ?? 0) > 0 || (stream?.failures.length ?? 0) > 0) process.exitCode = 1;
  }
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
