import { z } from 'zod';

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
