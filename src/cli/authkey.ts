/**
 * `restmq authkey create|list|revoke`: API keys. (Scaffold: issue 5 fills it in.)
 */
import type { Command } from 'commander';

export function registerAuthkeyCommands(_program: Command): void {}
