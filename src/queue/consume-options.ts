import { AetherError } from '../core/errors.js';
import type { ConsumeOptions } from '../core/queue.js';

/**
 * The checks every TaskQueue makes on `consume`: at least one queue name, a positive whole
 * concurrency, and no queue name this instance already consumes.
 */
export function assertConsumeOptions(
  options: ConsumeOptions,
  isConsuming: (queueName: string) => boolean,
): void {
  if (options.queueNames.length === 0) throw new AetherError('ERR_VALIDATION', 'consume needs a queue name');
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new AetherError(
      'ERR_VALIDATION',
      `concurrency must be a positive integer, got ${options.concurrency}`,
    );
  }
  const taken = options.queueNames.filter(isConsuming);
  if (taken.length > 0) throw new AetherError('ERR_VALIDATION', `already consuming ${taken.join(', ')}`);
}
