/**
 * Every end of a VM reaches Slack with its reason: who or what ended it comes first (`ttl: …`,
 * `user: …`, `oom_killed: …`), in the headline's detail.
 */
import { describe, expect, it } from 'vitest';
import { SYSTEM_ACCESS } from '../../core/principal.js';
import type { IntegrationPlatform } from '../platform.js';
import { notificationMessage } from './notifications.js';

/** The platform as notificationMessage reads it: the VM is gone, so it is not looked up further. */
const platform = {
  getVm: () => Promise.reject(new Error('gone')),
  getTask: () => Promise.reject(new Error('gone')),
} as unknown as IntegrationPlatform;

const vmEvent = (reason: string) => ({
  vmId: '00000000-0000-4000-8000-000000000001',
  status: 'stopped',
  reason,
});

describe('Slack notifications of VM ends', () => {
  it.each([
    ['vm.stopped', 'ttl: lifetime of 10s reached', 'VM stopped: ttl: lifetime of 10s reached'],
    ['vm.deleted', 'idle: no activity for 300s', 'VM deleted: idle: no activity for 300s'],
    [
      'vm.failed',
      'oom_killed: the sandbox was killed for lack of memory',
      'VM failed: oom_killed: the sandbox was killed for lack of memory',
    ],
  ] as const)('%s says why: %s', async (event, reason, text) => {
    const message = await notificationMessage(
      { event, payload: vmEvent(reason) } as Parameters<typeof notificationMessage>[0],
      platform,
      SYSTEM_ACCESS,
    );
    expect(message.text).toBe(text);
    expect(JSON.stringify(message.blocks)).toContain(reason);
  });
});
