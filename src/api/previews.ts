import { z } from 'zod';
import { DURATION_PATTERN } from '../core/duration.js';
import { MAX_GUEST_PORT, MIN_GUEST_PORT } from '../core/guest-ports.js';
import { DEFAULT_PREVIEW_SECONDS, MAX_PREVIEW_SECONDS } from '../core/preview.js';
import { nullableTimestamp, recordId, timestamp } from './fields.js';
import { idParams } from './requests.js';

/** Preview URLs of ports inside a VM. The token is in `CreatedPreview`, once. */

const MAX_DAYS = MAX_PREVIEW_SECONDS / 86_400;

export const createPreviewBody = z.strictObject({
  port: z
    .number()
    .int('must be a whole number')
    .min(MIN_GUEST_PORT)
    .max(MAX_GUEST_PORT)
    .describe('The port an app listens on at 127.0.0.1 inside the VM'),
  expires_in: z
    .union([
      z.number().int('must be a whole number of seconds').min(1).max(MAX_PREVIEW_SECONDS),
      z.string().regex(DURATION_PATTERN, 'use seconds, or a duration such as 90s, 30m, 2h, 1d or 1h30m'),
    ])
    .optional()
    .describe(
      `How long the URL works: seconds, or a duration such as \`30m\`, \`2h\`, \`1d\`. Default ${DEFAULT_PREVIEW_SECONDS / 3600} h, at most ${MAX_DAYS} days`,
    ),
});

export const previewParams = idParams.extend({
  preview_id: z.string().uuid('preview ids are UUIDs').describe("The preview's id"),
});

export const previewSchema = z
  .object({
    id: recordId,
    vm_id: recordId,
    port: z.number().int(),
    created_at: timestamp,
    expires_at: timestamp,
    revoked_at: nullableTimestamp,
    created_by: z.string().nullable().describe('The API key id (or `jwt:<sub>`) that made it'),
    state: z.enum(['active', 'expired', 'revoked']).describe('As of the answer'),
  })
  .meta({ id: 'Preview', description: 'A preview URL as listed: never its token' });

export const createdPreview = z
  .object({
    id: recordId,
    vm_id: recordId,
    port: z.number().int(),
    url: z
      .string()
      .describe(
        'The URL to open: `<public url>/preview/<token>/`, or with a preview domain `https://<port>-<vm id>.<domain>/?aether_token=<token>`',
      ),
    token: z.string().describe('The credential inside the URL. Shown only here.'),
    created_at: timestamp,
    expires_at: timestamp,
  })
  .meta({ id: 'CreatedPreview' });

export const previewList = z
  .object({ previews: z.array(previewSchema).describe('Newest first, revoked and expired ones included') })
  .meta({ id: 'PreviewList' });

export type Preview = z.infer<typeof previewSchema>;
export type CreatedPreview = z.infer<typeof createdPreview>;
