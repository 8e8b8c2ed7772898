// The webhook page offers the events as checkboxes from its own list (the API document gives
// them only in prose): this keeps that list equal to the one the API checks against.
import { describe, expect, it } from 'vitest';
import { EVENTS } from '../../packages/dashboard/src/pages/webhooks/webhook-events.js';
import { WEBHOOK_EVENTS } from '../../src/core/outbound-webhooks.js';

describe('the webhook events the dashboard offers', () => {
  it('are exactly the events the API accepts', () => {
    expect(EVENTS.map((event) => event.pattern).sort()).toEqual([...WEBHOOK_EVENTS].sort());
  });
});
