/** Writes docs/configuration.md from the option definitions: `npm run docs:config`. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_REFERENCE_PATH, renderConfigReference } from '../src/runtime/config-reference.js';

const target = path.resolve(import.meta.dirname, '..', CONFIG_REFERENCE_PATH);
writeFileSync(target, renderConfigReference());
process.stdout.write(`wrote ${CONFIG_REFERENCE_PATH}\n`);
