import { readFileSync } from 'node:fs';
import { AetherError } from '../core/errors.js';

/**
 * The PEM certificates of AETHER_TOOL_CA_FILE, read once when the worker starts: a file that
 * cannot be read, or holds no certificate, stops the node naming the option.
 */
export function readToolCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AetherError(
      'ERR_CONFIG',
      `AETHER_TOOL_CA_FILE (vmm.tool_ca_file): cannot read ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new AetherError(
      'ERR_CONFIG',
      `AETHER_TOOL_CA_FILE (vmm.tool_ca_file): ${file} holds no PEM certificate`,
    );
  }
  return pem;
}
