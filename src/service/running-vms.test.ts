/** The running VMs commands name, kept: against a real store (PGlite) and the in-process bus. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../test/support/memory-store.js';
import type { Store } from '../core/store.js';
import { createLocalEventBus } from '../events/local/local-event-bus.js';
import { newVmInput } from '../testing/conformance/store/fixtures.js';
import { publishVm } from './publish.js';
import { RunningVms } from './running-vms.js';

let store: Store;
beforeAll(async () => {
  store = await openMemoryStore();
});
afterAll(async () => {
  await store.close();
});

function counting(inner: Store) {
  let reads = 0;
  return {
    store: {
      findVm: (idOrName: string, project?: string) => {
        reads++;
        return inner.findVm(idOrName, project);
      },
    },
    reads: () => reads,
  };
}

async function runningVm(project = 'default') {
  const vm = await store.insertVm(newVmInput({ project }));
  await store.transitionVm(vm.id, { from: ['pending'], to: 'creating', reason: 'test' });
  return (await store.transitionVm(vm.id, { from: ['creating'], to: 'running', reason: 'test' }))!;
}

const access = (project = 'default', all = false) => ({ project, all });

describe('running VMs as commands name them', () => {
  it('reads a running VM once, by id and by name alike', async () => {
    const vms = new RunningVms(createLocalEventBus());
    const vm = await runningVm();
    const { store: counted, reads } = counting(store);
    for (let i = 0; i < 3; i++) {
      expect((await vms.resolve(counted, access(), vm.id)).id).toBe(vm.id);
      expect((await vms.resolve(counted, access(), vm.name)).id).toBe(vm.id);
    }
    expect(reads()).toBe(2);
    vms.close();
  });

  it('forgets a VM whose status changes, and answers what the store says then', async () => {
    const events = createLocalEventBus();
    const vms = new RunningVms(events);
    const vm = await runningVm();
    await vms.resolve(store, access(), vm.name);
    const stopping = await store.transitionVm(vm.id, { from: ['running'], to: 'deleted', reason: 'gone' });
    await publishVm(events, stopping!, 'gone');
    await expect(vms.resolve(store, access(), vm.name)).rejects.toMatchObject({ code: 'ERR_VM_NOT_FOUND' });
    vms.close();
  });

  it('never hands one project a VM kept for another', async () => {
    const vms = new RunningVms(createLocalEventBus());
    const vm = await runningVm('alpha');
    expect((await vms.resolve(store, access('alpha'), vm.id)).id).toBe(vm.id);
    await expect(vms.resolve(store, access('beta'), vm.id)).rejects.toMatchObject({
      code: 'ERR_VM_NOT_FOUND',
    });
    expect((await vms.resolve(store, access('beta', true), vm.id)).id).toBe(vm.id);
    vms.close();
  });

  it('keeps nothing that is not running, and nothing longer than its time', async () => {
    let now = 0;
    const vms = new RunningVms(createLocalEventBus(), 1000, () => now);
    const pending = await store.insertVm(newVmInput());
    const running = await runningVm();
    const { store: counted, reads } = counting(store);
    await vms.resolve(counted, access(), pending.id);
    await vms.resolve(counted, access(), pending.id);
    expect(reads()).toBe(2);
    await vms.resolve(counted, access(), running.id);
    now = 1000;
    await vms.resolve(counted, access(), running.id);
    expect(reads()).toBe(3);
    now = 1001;
    await vms.resolve(counted, access(), running.id);
    expect(reads()).toBe(4);
    vms.close();
  });
});
