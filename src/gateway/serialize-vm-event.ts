import type { z } from 'zod';
import type { vmEventSchema } from '../api/listings.js';
import type { StateChange } from '../core/store.js';

export function vmEventJson(change: StateChange): z.output<typeof vmEventSchema> {
  return {
    from_status: change.from,
    to_status: change.to,
    reason: change.reason,
    at: change.at.toISOString(),
  };
}
