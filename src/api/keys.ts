import { z } from 'zod';
import { PROJECT_PATTERN } from '../core/principal.js';

/** API key requests and answers. The key itself appears in `CreatedKey.secret`, once. */

export const createKeyBody = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\x20-\x7e]+$/, 'use printable ASCII')
      .describe('What the key is for, e.g. "ci on main"'),
    project: z
      .string()
      .regex(PROJECT_PATTERN, 'use 1-63 lowercase letters, digits, - or _')
      .optional()
      .describe("Project the key acts for; default the caller's (another project needs an admin key)"),
    admin: z.boolean().optional().describe('Sees every project and manages the platform; needs an admin key'),
    expires_at: z.iso.datetime({ offset: true }).optional().describe('When the key stops working'),
    expires_in_days: z.number().int().min(1).max(3650).optional().describe('Alternative to expires_at'),
  })
  .strict()
  .refine((b) => !(b.expires_at && b.expires_in_days), 'give expires_at or expires_in_days, not both');

export const keyParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9]{12}$/, 'API key ids are 12 letters or digits'),
});

export const apiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    project: z.string(),
    admin: z.boolean(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    /** `active`, `expired` or `revoked`, as of the answer. */
    state: z.enum(['active', 'expired', 'revoked']),
  })
  .meta({ id: 'ApiKey', description: 'An API key as listed: never the key itself' });

export const createdKey = z
  .object({
    key: apiKey,
    secret: z.string().describe('The key: send it as "Authorization: Bearer <secret>". Shown only here.'),
  })
  .meta({ id: 'CreatedKey' });

export const keyList = z.object({ keys: z.array(apiKey) }).meta({ id: 'ApiKeyList' });

export type ApiKey = z.infer<typeof apiKey>;
export type CreatedKey = z.infer<typeof createdKey>;
export type CreateKeyRequest = z.input<typeof createKeyBody>;
