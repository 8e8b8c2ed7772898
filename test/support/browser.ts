/**
 * A real browser for tests: Debian's Chromium, headless, driven by playwright-core. Screenshots
 * go to test-artifacts/ (kept by CI). Without Chromium the tests skip and say why; under CI,
 * which installs it, that is a failure (see backends.ts).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { requireBackend } from './backends.js';

export const CHROMIUM = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Where a test's screenshots go: test-artifacts/<name>/ at the repository root. */
export function artifactDir(name: string): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = path.join(root, 'test-artifacts', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function chromiumAvailable(what: string): Promise<boolean> {
  return requireBackend(
    'Chromium',
    existsSync(CHROMIUM),
    `${what} need a browser at ${CHROMIUM}: apt-get install chromium, or set TEST_CHROMIUM`,
  );
}

/**
 * Headless Chromium (Playwright gives it a fresh profile). The network flags keep it from
 * calling out: a test must not depend on Google's hosts, and closed networks refuse them.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
