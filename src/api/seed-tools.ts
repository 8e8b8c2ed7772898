import { AetherError } from '../core/errors.js';
import {
  SEED_LATEST_VERSION,
  SEED_TOOLS_WITHOUT_COUNTERPART,
  toolNameOfSeed,
} from '../core/seed-tool-names.js';

/**
 * Tool names and versions as the original Go system took them (`additional_tools`,
 * `tool_versions`, its CLI's `-tools`), translated to our catalog's before validation; the
 * names themselves are in src/core/seed-tool-names.ts.
 */

/** Our name for a tool named the original's way; ERR_VALIDATION for one we cannot provide. */
export function toolNameFromSeed(name: string, field: string): string {
  const instead = Object.hasOwn(SEED_TOOLS_WITHOUT_COUNTERPART, name)
    ? SEED_TOOLS_WITHOUT_COUNTERPART[name]
    : undefined;
  if (instead !== undefined) {
    throw new AetherError('ERR_VALIDATION', `${field}: tool "${name}" has no counterpart here: ${instead}`, {
      details: { field, tool: name },
    });
  }
  return toolNameOfSeed(name);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `additional_tools` and `tool_versions` with the original's names mapped to ours, and each
 * `latest` turned into the tool named without a version (it moves to `additional_tools`, so it
 * stays required, as a tool named in `tool_versions` is). Anything that is not a string is left
 * for validation to refuse.
 */
export function toolsFromSeed(body: Record<string, unknown>): Record<string, unknown> {
  const { additional_tools: additional, tool_versions: versions } = body;
  if (!Array.isArray(additional) && !isRecord(versions)) return body;
  const tools: unknown[] = [];
  const seen = new Set<unknown>();
  const add = (tool: unknown) => {
    if (seen.has(tool)) return;
    seen.add(tool);
    tools.push(tool);
  };
  if (Array.isArray(additional)) {
    for (const tool of additional)
      add(typeof tool === 'string' ? toolNameFromSeed(tool, 'additional_tools') : tool);
  }
  let pinned: Record<string, unknown> | undefined;
  if (isRecord(versions)) {
    pinned = {};
    for (const [seedName, version] of Object.entries(versions)) {
      const name = toolNameFromSeed(seedName, 'tool_versions');
      if (version === SEED_LATEST_VERSION) {
        add(name);
        continue;
      }
      if (Object.hasOwn(pinned, name) && pinned[name] !== version) {
        throw new AetherError(
          'ERR_VALIDATION',
          `tool_versions: two names of ${name} ask for different versions (${JSON.stringify(pinned[name])} and ${JSON.stringify(version)}); keep one`,
          { details: { field: 'tool_versions', tool: name } },
        );
      }
      pinned[name] = version;
    }
  }
  const out = { ...body };
  if (tools.length > 0 || Array.isArray(additional)) out.additional_tools = tools;
  if (pinned) {
    if (Object.keys(pinned).length > 0) out.tool_versions = pinned;
    else delete out.tool_versions;
  }
  return out;
}
