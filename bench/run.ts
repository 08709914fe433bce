/**
 * `npm run bench`: throughput and latency of the broker's message routes against a bare
 * Fastify ceiling measured in the same run. See bench/README.md.
 * Never exits non-zero for a missed target; only for a bench that could not run.
 */
import { mkdirSync } from 'node:fs';
import { loadBenchConfig } from './config.js';
import { pickLoadTool } from './http-load.js';
import { cleanup, installSignalCleanup } from './procs.js';
import { formatProfile, summariseProfile } from './profile.js';
import { formatResults, header, writeResults } from './report.js';
import { profileBroker, runSuite, type Ctx } from './suite.js';

installSignalCleanup();
const config = loadBenchConfig();
const tool = pickLoadTool();
const info = { startedAt: new Date(), tool: tool.name === 'autocannon' ? 'autocannon 8 (in this process)' : tool.name, config };
const ctx: Ctx = { config, tool, log: (msg) => process.stderr.write(`  … ${msg}\n`) };

try {
  process.stdout.write(header(info) + '\n\n');
  if (config.profileDir) {
    mkdirSync(config.profileDir, { recursive: true });
    const line = await profileBroker(ctx, config.profileDir, config.profileScenario);
    const empty = line.scenario === 'get' ? `, ${line.empty} empty` : '';
    process.stdout.write(`profiled run: redis ${line.route}: ${Math.round(line.msgsPerSec).toLocaleString('en-US')} msgs/s${empty} under --cpu-prof (slower than unprofiled);\n`);
    process.stdout.write(`broker ${line.cpu.server.toFixed(2)} cores, redis-server ${(line.cpu.redis ?? 0).toFixed(2)}, generator ${line.cpu.generator.toFixed(2)}, others ${line.cpu.others.toFixed(2)}\n\n`);
    // Only the samples of the measured run: not start-up, module loading or the warm-up.
    process.stdout.write(formatProfile(summariseProfile(config.profileDir, 25, line.windowUs)) + '\n');
  } else {
    const result = await runSuite(ctx);
    process.stdout.write(formatResults(result) + '\n');
    process.stdout.write(`results: ${writeResults(info, result)}\n`);
    // A backend that could not run is a broken bench, not a missed target.
    if (result.failures.length > 0) process.exitCode = 1;
  }
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
