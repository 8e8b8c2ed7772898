import { z } from 'zod';
import { timestamp } from './fields.js';

/** `{integration}` of the webhook route: a name, never a path. */
export const integrationParams = z.object({
  integration: z
    .string()
    .min(1)
    .max(64)
    // Any other name answers 401 like a bad signature: nobody learns which integrations are on.
    .regex(/^[A-Za-z0-9._-]+$/, 'an integration name such as github or slack')
    .describe('The integration the webhook is for: `github` or `slack`'),
});

/**
 * What a verified webhook gets back. GitHub reads only the status; Slack shows a slash command's
 * answer (`response_type`, `text`) to the user who typed it.
 */
export const webhookAnswer = z
  .object({
    accepted: z.boolean().optional().describe('The delivery was taken; work, if any, runs in the background'),
    action: z.string().optional().describe('What the delivery started, or why it started nothing'),
    response_type: z.enum(['ephemeral', 'in_channel']).optional(),
    text: z.string().optional(),
  })
  .meta({ id: 'WebhookAnswer' });

/** What became of an inbound webhook: taken, taken but nothing to do, refused, or a replay. */
export const WEBHOOK_OUTCOMES = ['accepted', 'ignored', 'refused', 'replayed'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export const webhookReceiptSchema = z
  .object({
    id: z
      .string()
      .nullable()
      .describe("The sender's delivery id (GitHub's `X-GitHub-Delivery`), when it sent one"),
    event: z
      .string()
      .nullable()
      .describe("The sender's event name (GitHub's `X-GitHub-Event`), when it sent one"),
    outcome: z.enum(WEBHOOK_OUTCOMES),
    status: z.number().int().describe('The HTTP status it was answered with'),
    code: z.string().nullable().describe('The error code of a refusal or replay'),
    at: timestamp,
  })
  .meta({ id: 'WebhookReceipt', description: 'One inbound webhook as this gateway answered it' });

export const integrationList = z
  .object({
    integrations: z.array(
      z
        .object({
          name: z.string(),
          ok: z.boolean(),
          message: z.string(),
          deliveries: z.array(webhookReceiptSchema).describe("This gateway process's latest, newest first"),
        })
        .meta({ id: 'IntegrationStatus' }),
    ),
  })
  .meta({ id: 'IntegrationList', description: 'Each enabled integration: its health and recent deliveries' });
