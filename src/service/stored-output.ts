import { type OutputStream, outputText } from '../core/output.js';
import type { Store } from '../core/store.js';

const PAGE = 1000;

/**
 * The text of each stream from the chunks an execution stored while it ran, or null when it
 * stored none. What settles an execution whose worker is gone records this, so its output is
 * what the command printed before it was cut short, as a stream replay shows it.
 */
export async function storedOutputText(
  store: Store,
  executionId: string,
): Promise<Record<OutputStream, string> | null> {
  const parts: Record<OutputStream, Uint8Array[]> = { stdout: [], stderr: [] };
  let afterSeq = 0;
  for (;;) {
    const page = await store.listExecutionOutput(executionId, { afterSeq, limit: PAGE });
    for (const chunk of page) parts[chunk.stream].push(chunk.data);
    if (page.length < PAGE) break;
    afterSeq = page.at(-1)!.seq;
  }
  if (parts.stdout.length === 0 && parts.stderr.length === 0) return null;
  return { stdout: outputText(Buffer.concat(parts.stdout)), stderr: outputText(Buffer.concat(parts.stderr)) };
}
