/** Files in a VM: read_file, write_file, list_files. */
import type { Readable } from 'node:stream';
import type { AetherClient, FsEntry } from '@aetherium/sdk';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AetherError } from '../../core/errors.js';
import { answering, toolAnswer } from '../tool-answer.js';
import { guestPath, vmReference } from './fields.js';

export const DEFAULT_READ_BYTES = 100_000;
export const MAX_READ_BYTES = 1_000_000;
/** Characters of content a write takes: one tool call is no way to move big files. */
export const MAX_WRITE_CHARS = 4 * 1024 * 1024;
/** Entries a listing hands back; a recursive one over a big tree is cut there. */
export const MAX_LISTED_ENTRIES = 1000;

/** The first `maxBytes` of the body, and whether there was more; the transfer stops there. */
async function readAtMost(body: Readable, maxBytes: number): Promise<{ bytes: Buffer; more: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      chunks.push(Buffer.from(chunk));
      total += chunk.byteLength;
      if (total > maxBytes) break;
    }
  } finally {
    body.destroy();
  }
  const all = Buffer.concat(chunks);
  return { bytes: all.subarray(0, maxBytes), more: all.length > maxBytes };
}

/**
 * The bytes as UTF-8 text, or null when they are not text (a NUL byte, an invalid sequence). A cut
 * may end inside a character: that partial character is dropped, not taken for binary.
 */
function textOf(bytes: Buffer, cut: boolean): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: cut });
  } catch {
    return null;
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytesToWrite(content: string, encoding: 'utf-8' | 'base64'): Buffer {
  if (encoding === 'utf-8') return Buffer.from(content, 'utf8');
  const compact = content.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new AetherError('ERR_VALIDATION', 'content: not valid base64');
  }
  return Buffer.from(compact, 'base64');
}

const TYPE_MARK: Record<FsEntry['type'], string> = { file: '-', directory: 'd', symlink: 'l', other: '?' };

function listingLine(entry: Pick<FsEntry, 'name' | 'type' | 'size' | 'target'>): string {
  const name = entry.type === 'directory' ? `${entry.name}/` : entry.name;
  const target = entry.target !== undefined ? ` -> ${entry.target}` : '';
  return `${TYPE_MARK[entry.type]} ${String(entry.size).padStart(10)} ${name}${target}`;
}

export function registerFileTools(server: McpServer, client: AetherClient): void {
  server.registerTool(
    'read_file',
    {
      title: 'Read a file in a VM',
      description:
        'Read a file inside a VM. Text comes back as it is; a binary file comes back as base64 and says so. Files longer than `max_bytes` are cut there, and the answer says so.',
      inputSchema: {
        vm: vmReference,
        path: guestPath,
        max_bytes: z
          .number()
          .int()
          .min(1)
          .max(MAX_READ_BYTES)
          .optional()
          .describe(`Read at most this many bytes; default ${DEFAULT_READ_BYTES}`),
      },
      outputSchema: {
        path: z.string(),
        size: z.number().nullable().describe("The file's size in bytes, when known"),
        encoding: z.enum(['utf-8', 'base64']),
        binary: z.boolean().describe('The file is not UTF-8 text: `content` is base64'),
        truncated: z.boolean().describe('Only the first `max_bytes` were read'),
        content: z.string(),
      },
      annotations: { readOnlyHint: true },
    },
    answering(async (args) => {
      const maxBytes = args.max_bytes ?? DEFAULT_READ_BYTES;
      const download = await client.downloadFile(args.vm, args.path, { format: 'raw' });
      if (download.entry.type === 'directory') {
        download.body.destroy();
        throw new AetherError('ERR_IS_A_DIRECTORY', `${args.path} is a directory; list it with list_files`);
      }
      const { bytes, more } = await readAtMost(download.body, maxBytes);
      const size = download.size ?? (more ? null : bytes.length);
      const text = textOf(bytes, more);
      const content = text ?? bytes.toString('base64');
      const answer = {
        path: args.path,
        size,
        encoding: text === null ? ('base64' as const) : ('utf-8' as const),
        binary: text === null,
        truncated: more,
        content,
      };
      const notes = [
        ...(text === null ? [`binary file (${size ?? 'unknown'} bytes); the content below is base64`] : []),
        ...(more
          ? [
              `cut after ${bytes.length} of ${size ?? 'more'} bytes; read the rest with run_command (tail -c, sed -n)`,
            ]
          : []),
      ];
      return toolAnswer(answer, notes.length > 0 ? `[${notes.join('; ')}]\n${content}` : content);
    }),
  );

  server.registerTool(
    'write_file',
    {
      title: 'Write a file in a VM',
      description:
        'Write a file inside a VM, replacing it if it exists; missing parent directories are created. `content` is text, or base64 with `encoding: "base64"` for binary files.',
      inputSchema: {
        vm: vmReference,
        path: guestPath,
        content: z.string().max(MAX_WRITE_CHARS),
        encoding: z.enum(['utf-8', 'base64']).optional().describe('How `content` is written; default utf-8'),
      },
      outputSchema: { path: z.string(), bytes: z.number() },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    answering(async (args) => {
      const bytes = bytesToWrite(args.content, args.encoding ?? 'utf-8');
      const written = await client.uploadFile(
        args.vm,
        args.path,
        (async function* () {
          yield bytes;
        })(),
      );
      return toolAnswer(
        { path: written.path, bytes: written.bytes },
        `wrote ${written.bytes} bytes to ${written.path}`,
      );
    }),
  );

  server.registerTool(
    'list_files',
    {
      title: 'List files in a VM',
      description:
        "List a directory inside a VM (default: the VM's home directory): each entry's type, size and name; with `recursive`, every entry below it.",
      inputSchema: {
        vm: vmReference,
        path: guestPath.optional().describe("The directory; default: the VM's home directory"),
        recursive: z.boolean().optional().describe('Every entry below the directory, named relative to it'),
      },
      outputSchema: {
        path: z.string(),
        entries: z.array(
          z.object({
            name: z.string(),
            type: z.enum(['file', 'directory', 'symlink', 'other']),
            size: z.number(),
            mtime: z.string(),
            target: z.string().optional(),
          }),
        ),
        truncated: z.boolean().describe(`More entries exist than the ${MAX_LISTED_ENTRIES} handed back`),
      },
      annotations: { readOnlyHint: true },
    },
    answering(async (args) => {
      const path = args.path ?? '.';
      const listing = await client.listFiles(args.vm, path, { recursive: args.recursive ?? false });
      const shown = listing.entries.slice(0, MAX_LISTED_ENTRIES);
      const truncated = listing.truncated || listing.entries.length > shown.length;
      const entries = shown.map(({ name, type, size, mtime, target }) => ({
        name,
        type,
        size,
        mtime,
        ...(target !== undefined ? { target } : {}),
      }));
      const lines = entries.length === 0 ? ['(empty)'] : entries.map(listingLine);
      if (truncated) lines.push(`[more entries exist; only the first ${shown.length} are shown]`);
      return toolAnswer({ path, entries, truncated }, lines.join('\n'));
    }),
  );
}
