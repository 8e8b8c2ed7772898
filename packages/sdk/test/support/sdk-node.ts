/**
 * The SDK's tests run against a real embedded node (gateway, worker, store and process driver in
 * this process), one per test file, reached the way a program would: a URL and an API key.
 * Sandboxes made through `useSandbox` are always killed, and their ids printed when a test fails.
 */
import { AetherApiError, AetherClient, Sandbox, type SandboxCreateOptions } from '@aetherium/sdk';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { type TestNode, useTestNode } from '../../../../test/support/embedded-node.js';
import { sandboxesAvailable } from '../../../../test/support/sandboxes.js';

export interface SdkConnection {
  apiUrl: string;
  apiKey: string;
}

export interface SdkNode {
  /** The node itself (its store, services, data dir). */
  node(): TestNode;
  /** The gateway's URL and its admin key, as `Sandbox.create` takes them. */
  connection(): SdkConnection;
  /** A key of another project, and a client holding it. */
  projectKey(project: string): Promise<{ apiKey: string; client: AetherClient }>;
}

/** Whether this host can run sandboxes; prints why not (a failure under CI=true). */
export function canRunSandboxes(what: string): Promise<boolean> {
  return sandboxesAvailable(what);
}

/** One node for the whole file, started before its tests and stopped (its VMs deleted) after. */
export function useSdkNode(canRun: boolean, env: Record<string, string> = {}): SdkNode {
  const node = useTestNode(canRun, env);
  const connection = (): SdkConnection => {
    const apiKey = node().node.localAdminKey;
    if (!apiKey) throw new Error('the test node made no admin key');
    return { apiUrl: node().url, apiKey };
  };
  return {
    node,
    connection,
    async projectKey(project) {
      const made = await node().client.createKey({ name: `${project} key`, project });
      return { apiKey: made.secret, client: new AetherClient({ baseUrl: node().url, token: made.secret }) };
    },
  };
}

/**
 * A sandbox shared by the tests of a block: created before them, killed after them, its id
 * printed next to any test that fails so its files and logs can be looked up.
 */
export function useSandbox(sdk: SdkNode, canRun: boolean, options: SandboxCreateOptions = {}): () => Sandbox {
  let sandbox: Sandbox | null = null;
  beforeAll(async () => {
    if (canRun) sandbox = await Sandbox.create({ ...sdk.connection(), ...options });
  }, 60_000);
  afterEach((context) => {
    if (sandbox && context.task.result?.state === 'fail') {
      console.error(`[sandbox] ${context.task.name}: sandbox ${sandbox.name} (${sandbox.id})`);
    }
  });
  afterAll(async () => {
    await sandbox?.kill();
  });
  return () => {
    if (!sandbox) throw new Error('the sandbox was not created');
    return sandbox;
  };
}

/** Polls `check` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The typed error `work` fails with; the test fails if it succeeds or throws something else. */
export async function rejection(work: Promise<unknown>): Promise<AetherApiError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, 'the call should have failed').toBeInstanceOf(AetherApiError);
  return error as AetherApiError;
}
