/**
 * The wire contract of files in a VM and of a running execution's stdin and signals. File bodies
 * are not JSON: an upload's request body and a download's answer are the bytes themselves
 * (`application/octet-stream`), or a tar archive for a directory tree (`application/x-tar`).
 */
import { z } from 'zod';
import { COMMAND_SIGNALS } from '../core/driver.js';
import { FS_ENTRY_TYPES } from '../core/guest-files.js';
import { booleanFlag } from './requests.js';

/** Media type of one file's bytes. */
export const RAW_MEDIA_TYPE = 'application/octet-stream';
/** Media type of a directory tree. */
export const TAR_MEDIA_TYPE = 'application/x-tar';
/** Answer header of a download: the entry downloaded, as the JSON of FsEntry. */
export const FILE_ENTRY_HEADER = 'x-aether-entry';

const guestPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'must not contain NUL')
  .describe("A path inside the VM: absolute, or relative to the VM's home. Resolved inside the VM");

export const filePathQuery = z.object({ path: guestPath });

export const downloadQuery = z.object({
  path: guestPath,
  format: z
    .enum(['raw', 'tar'])
    .optional()
    .describe(
      '`tar` packs a file into an archive too; default: the bytes of a file, a tar archive of a directory',
    ),
});

export const uploadQuery = z.object({
  path: guestPath.describe(
    'Where the file goes (parents are created), or with a tar body the directory the archive is unpacked into',
  ),
  mode: z
    .string()
    .regex(/^0?[0-7]{3,4}$/, 'octal permission bits, like 644 or 0755')
    .optional()
    .transform((v) => (v === undefined ? undefined : Number.parseInt(v, 8)))
    .describe('Permission bits of a single file, in octal; default 644'),
});

export const listFilesQuery = z.object({
  path: guestPath,
  recursive: booleanFlag.describe('Every entry below the directory, names relative to it'),
});

export const deleteFileQuery = z.object({
  path: guestPath,
  recursive: booleanFlag.describe('Needed to remove a non-empty directory'),
});

export const mkdirBody = z.object({
  path: guestPath,
  parents: z.boolean().default(false).describe('Create missing parents, and accept a directory that exists'),
});

export const moveBody = z.object({ from: guestPath, to: guestPath });

export const fsEntrySchema = z
  .object({
    name: z.string().describe('Base name (stat), or the path relative to the listed directory (list)'),
    type: z.enum(FS_ENTRY_TYPES),
    size: z.number().int(),
    mode: z.number().int().describe('Permission bits (e.g. 420 = 0o644)'),
    mtime: z.string().describe('Last modification, ISO 8601'),
    target: z.string().optional().describe('For a symlink: what it points to'),
  })
  .meta({ id: 'FsEntry', description: 'One path inside a VM (a symlink is shown as itself)' });

export const fsListing = z
  .object({
    entries: z.array(fsEntrySchema),
    truncated: z.boolean().describe('More entries exist than one answer carries (10 000)'),
  })
  .meta({ id: 'FsListing' });

export const uploadAnswer = z
  .object({
    path: z.string(),
    bytes: z.number().int().describe('Bytes written'),
    files: z.number().int().describe('Files written (1 for a single file)'),
  })
  .meta({ id: 'UploadResult' });

/** Bytes, in the document: a file's contents or a tar archive. */
export const binaryBody = z.string().meta({ format: 'binary' });

export const okAnswer = z.object({ ok: z.literal(true) }).meta({ id: 'Ok' });

export const signalBody = z.object({
  signal: z
    .enum(COMMAND_SIGNALS)
    .default('SIGTERM')
    .describe("Delivered to the command's whole process tree; SIGKILL cannot be caught"),
});

export const processList = z
  .object({
    processes: z.array(
      z.object({
        execution_id: z.string(),
        pid: z.number().int().nullable().describe('Inside the VM; null while the command is starting'),
        command: z.string(),
        args: z.array(z.string()),
        started_at: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'ProcessList', description: "A VM's executions running now, as its worker sees them" });

export const stdinAnswer = z
  .object({ bytes: z.number().int().describe("Bytes the command's stdin accepted") })
  .meta({ id: 'StdinResult' });
