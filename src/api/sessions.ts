import { z } from 'zod';
import { nullableTimestamp } from './fields.js';

/**
 * Browser sessions (the dashboard's sign-in). The session secret travels only in the
 * `aether_session` cookie (HttpOnly), never in a body; `csrf_token` goes back as the
 * `x-csrf-token` header of every unsafe request the cookie authenticates.
 */

export const createSessionBody = z.strictObject({
  token: z
    .string()
    .min(1)
    .max(4096)
    .regex(/^[\x21-\x7e]+$/, 'an API key or a JWT is printable ASCII without spaces')
    .describe('An API key (`aek_...`), or a JWT from the configured issuer'),
});

export const sessionSchema = z
  .object({
    project: z.string().describe('The project the credential acts for'),
    admin: z.boolean().describe('Sees every project and manages the platform'),
    key_id: z.string().nullable().describe('The API key signed in with; null for a JWT'),
    subject: z.string().describe("The API key's name, or the JWT's `sub`"),
    expires_at: nullableTimestamp.describe(
      'When these credentials stop working: the session, or a bearer key or JWT (null: never)',
    ),
    csrf_token: z
      .string()
      .nullable()
      .describe(
        'Send it as the `x-csrf-token` header on every POST, PUT and DELETE the session cookie authenticates; null when no cookie authenticated this request',
      ),
    credentials: z
      .enum(['session', 'bearer', 'none'])
      .describe(
        'What authenticated this request: the session cookie, a bearer token (Authorization header or `access_token`), or nothing because auth is off',
      ),
  })
  .meta({ id: 'Session', description: 'Who a request acts as, and how it signed in' });

export type Session = z.infer<typeof sessionSchema>;
export type CreateSessionRequest = z.input<typeof createSessionBody>;
