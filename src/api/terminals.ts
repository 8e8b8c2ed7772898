/**
 * The wire contract of terminals and port connections. A terminal is opened with a JSON request,
 * then attached to over a WebSocket (binary frames for bytes, small JSON text frames for resize
 * and exit: core/terminal-socket.ts); a port connection is a WebSocket whose binary frames are
 * the TCP stream's bytes.
 */
import { z } from 'zod';
import { MAX_TERMINAL_CELLS } from '../core/driver.js';
import { MAX_GUEST_PORT, MIN_GUEST_PORT } from '../core/guest-ports.js';
import { TERMINAL_ID_PATTERN } from '../core/terminal.js';

const cells = (what: string) =>
  z.number().int().min(1).max(MAX_TERMINAL_CELLS).describe(`The terminal's ${what}, in character cells`);

const noNul = (s: string) => !s.includes('\0');

export const terminalSizeBody = z.object({ cols: cells('width'), rows: cells('height') }).strict();

export const openTerminalBody = z
  .object({
    command: z
      .array(
        z
          .string()
          .max(64 * 1024)
          .refine(noNul, 'must not contain NUL'),
      )
      .min(1)
      .max(1024)
      .optional()
      .describe('argv of the command (no shell involved); default: a login shell (bash where the VM has it)'),
    cols: cells('width').default(80),
    rows: cells('height').default(24),
    env: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
        z
          .string()
          .max(64 * 1024)
          .refine(noNul),
      )
      .optional()
      .describe('Added to the environment; TERM defaults to xterm-256color'),
    cwd: z
      .string()
      .min(1)
      .max(4096)
      .refine(noNul)
      .optional()
      .describe("Working directory; default the VM's home"),
  })
  .strict();

export const terminalParams = z.object({
  id: z.string().min(1).max(128).describe('VM id or name'),
  terminal_id: z.string().regex(TERMINAL_ID_PATTERN, 'a terminal id: term_ and 20 letters or digits'),
});

export const portParams = z.object({
  id: z.string().min(1).max(128).describe('VM id or name'),
  port: z.coerce.number().int().min(MIN_GUEST_PORT).max(MAX_GUEST_PORT).describe('TCP port inside the VM'),
});

export const terminalSchema = z
  .object({
    id: z.string(),
    vm_id: z.string(),
    command: z.array(z.string()),
    cols: z.number().int(),
    rows: z.number().int(),
    created_at: z.string().describe('ISO 8601'),
    clients: z.number().int().describe('Clients attached now'),
    detached_at: z
      .string()
      .nullable()
      .describe(
        'Since when no client is attached (the session ends after the grace period); null while one is',
      ),
    status: z.enum(['running', 'exited']),
    exit_code: z.number().int().nullable(),
    signal: z.string().nullable(),
  })
  .meta({ id: 'Terminal', description: 'A terminal session: a command on a pseudo-terminal in a VM' });

export const terminalList = z.object({ terminals: z.array(terminalSchema) }).meta({ id: 'TerminalList' });

/** The JSON text frames of a terminal socket (binary frames are bytes). */
export const terminalSocketMessage = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('resize'), cols: z.number().int(), rows: z.number().int() }),
    z.object({
      type: z.literal('exit'),
      exit_code: z.number().int().nullable(),
      signal: z.string().nullable(),
      error: z.string().optional(),
    }),
  ])
  .meta({
    id: 'TerminalSocketMessage',
    description: 'A JSON text frame of a terminal socket (binary frames are bytes)',
  });
