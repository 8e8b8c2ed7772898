/**
 * What a tool hands back. A success carries structured content (matching the tool's output
 * schema, for programs) and a text rendering (for the model). A failure is a tool error — the
 * model reads it and can act on it — never a protocol error or a crash.
 */
import { AetherApiError } from '@aetherium/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AetherError } from '../core/errors.js';

/**
 * `failed`: the request failed yet has a whole answer (a command that timed out, with its output
 * so far); it is marked as an error, its structured content still valid against the schema.
 */
export function toolAnswer(
  structured: Record<string, unknown>,
  text: string,
  options: { failed?: boolean } = {},
): CallToolResult {
  return {
    content: [{ type: 'text', text }],
    structuredContent: structured,
    ...(options.failed ? { isError: true } : {}),
  };
}

/** The error's stable code and message; an error of unknown kind is ERR_INTERNAL. */
export function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof AetherApiError || error instanceof AetherError) {
    return { code: error.code, message: error.message };
  }
  return { code: 'ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** `CODE: message`, as text only: the tool's output schema describes an answer, not this. */
export function toolError(error: unknown, hint?: string): CallToolResult {
  const { code, message } = describeFailure(error);
  return {
    content: [{ type: 'text', text: `${code}: ${message}${hint ? ` (${hint})` : ''}` }],
    isError: true,
  };
}

/** A tool's body with whatever it throws turned into a tool error. */
export function answering<Args>(
  run: (args: Args) => Promise<CallToolResult>,
): (args: Args) => Promise<CallToolResult> {
  return async (args) => {
    try {
      return await run(args);
    } catch (error) {
      return toolError(error);
    }
  };
}
