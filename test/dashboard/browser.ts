/**
 * A real headless Chromium for dashboard tests: Debian's /usr/bin/chromium driven by
 * playwright-core. CI installs chromium (.ci/run), so there a missing browser fails the
 * test; on a developer machine without it the suite is skipped with the reason.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Screenshots go here (ignored by git, kept by CI as artifacts). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dashboard');

/** Why the browser tests cannot run here, or undefined when they can (or must: CI). */
export function skipReason(): string | undefined {
  if (existsSync(CHROMIUM) || process.env['CI']) return undefined;
  return `no Chromium at ${CHROMIUM} (apt-get install chromium; CI installs it and fails without it)`;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium keeps calling home over a closed network.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const shot = (name: string): string => join(ARTIFACTS, `${name}.png`);
