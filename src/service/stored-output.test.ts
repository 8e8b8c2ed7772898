import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../test/support/memory-store.js';
import { newId } from '../core/ids.js';
import type { Store } from '../core/store.js';
import { newExecutionInput, newVmInput } from '../testing/conformance/store/fixtures.js';
import { storedOutputText } from './stored-output.js';

let store: Store;
beforeAll(async () => {
  store = await openMemoryStore();
});
afterAll(async () => {
  await store.close();
});

describe('storedOutputText', () => {
  it('joins each stream of the stored chunks, across pages, into the text a record keeps', async () => {
    const vm = await store.insertVm(newVmInput());
    const execution = await store.insertExecution(newExecutionInput(vm.id));
    const euro = Buffer.from('€');
    // 1 500 chunks: more than one page; a character split between two chunks comes out whole.
    const chunks = Array.from({ length: 1500 }, (_, i) => {
      const stream = i % 3 === 2 ? ('stderr' as const) : ('stdout' as const);
      const data = i === 0 ? euro.subarray(0, 1) : i === 1 ? euro.subarray(1) : Buffer.from(`${i};`);
      return { seq: i + 1, stream, offset: 0, data };
    });
    for (let i = 0; i < chunks.length; i += 500)
      await store.appendExecutionOutput(execution.id, chunks.slice(i, i + 500));
    const text = await storedOutputText(store, execution.id);
    const expected = (stream: string) =>
      Buffer.concat(chunks.filter((c) => c.stream === stream).map((c) => c.data)).toString('utf8');
    expect(text).toEqual({ stdout: expected('stdout'), stderr: expected('stderr') });
    expect(text?.stdout.startsWith('€3;')).toBe(true);
  });

  it('is null for an execution that stored no chunk', async () => {
    expect(await storedOutputText(store, newId())).toBeNull();
  });
});
