/**
 * Client commands on the same binary: push, pop, tail, stats, purge (over HTTP, --url).
 * (Scaffold: issue 6 fills it in.)
 */
import type { Command } from 'commander';

export function registerClientCommands(_program: Command): void {}
