import { describe, expect, it } from 'vitest';
import { describeEventBusConformance } from '../../testing/conformance/events/event-bus-suite.js';
import { createLocalEventBus } from './local-event-bus.js';

describeEventBusConformance('in-process', async () => createLocalEventBus());

describe('local event bus', () => {
  it('runs handlers before publish resolves', async () => {
    const bus = createLocalEventBus();
    let seen = 0;
    bus.subscribe('vm.status', () => {
      seen++;
    });
    await bus.publish('vm.status', { vmId: 'v', status: 'running', reason: 'r' });
    expect(seen).toBe(1);
    await bus.close();
  });
});
