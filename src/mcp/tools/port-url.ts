/** The port_url tool: a preview URL of an app listening inside a VM. */
import type { AetherClient } from '@aetherium/sdk';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { MAX_GUEST_PORT, MIN_GUEST_PORT } from '../../core/guest-ports.js';
import { DEFAULT_PREVIEW_SECONDS, MAX_PREVIEW_SECONDS } from '../../core/preview.js';
import { answering, toolAnswer } from '../tool-answer.js';
import { durationInput, vmReference } from './fields.js';

export function registerPortUrl(server: McpServer, client: AetherClient): void {
  server.registerTool(
    'port_url',
    {
      title: 'Make a preview URL of a port in a VM',
      description:
        'Make a URL that reaches an app listening on a port inside a VM (for example a web server started with run_command and `background: true`; it must listen on 127.0.0.1 or 0.0.0.0 in the VM). Anyone with the URL reaches the app until it expires.',
      inputSchema: {
        vm: vmReference,
        port: z
          .number()
          .int()
          .min(MIN_GUEST_PORT)
          .max(MAX_GUEST_PORT)
          .describe('The port the app listens on'),
        expires_in: durationInput(MAX_PREVIEW_SECONDS)
          .optional()
          .describe(
            `How long the URL works: seconds, or a duration such as \`30m\`, \`2h\`, \`1d\`; default ${DEFAULT_PREVIEW_SECONDS / 3600} h, at most ${MAX_PREVIEW_SECONDS / 86_400} days`,
          ),
      },
      outputSchema: {
        url: z.string(),
        port: z.number(),
        preview_id: z.string(),
        expires_at: z.string(),
      },
    },
    answering(async (args) => {
      const preview = await client.createPreview(
        args.vm,
        args.port,
        args.expires_in !== undefined ? { expiresIn: args.expires_in } : {},
      );
      return toolAnswer(
        { url: preview.url, port: preview.port, preview_id: preview.id, expires_at: preview.expires_at },
        `${preview.url}\n(port ${preview.port}; works until ${preview.expires_at} for anyone who has it)`,
      );
    }),
  );
}
