import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function readVersion(): string {
  for (const candidate of ['../../package.json']) {
    try {
      return (require(candidate) as { version: string }).version;
    } catch {
      // Try the next layout (src/ when run from source, dist/ when built).
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
