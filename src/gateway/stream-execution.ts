import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toWireError } from '../core/errors.js';
import type { EventMap } from '../core/events.js';
import type { ExecuteInput, TaskOptions } from '../service/inputs.js';
import { accessFor } from './auth/authenticate.js';
import type { GatewayDeps, GatewaySettings } from './context.js';
import { executionJson } from './serialize.js';
import { shuttingDown, withClosing } from './write-reply.js';

/** One line of an execution stream (`application/x-ndjson`). */
export type StreamLine =
  | { type: 'task'; task_id: string; execution_id: string }
  | { type: 'stdout' | 'stderr'; data: string }
  | {
      type: 'exit';
      exit_code: number | null;
      timed_out: boolean;
      execution: ReturnType<typeof executionJson>;
    }
  | { type: 'error'; error: { code: string; message: string; retryable: boolean } };

/**
 * Start an execution and stream its output as NDJSON while it runs. Output events are buffered
 * from before the execution id is known, so the first chunks are never missed; the final
 * `exit` line is read from the store, which holds the authoritative (capped) record.
 */
export async function streamExecution(
  deps: GatewayDeps,
  settings: GatewaySettings,
  request: FastifyRequest,
  reply: FastifyReply,
  vmIdOrName: string,
  input: ExecuteInput,
  options: TaskOptions,
): Promise<FastifyReply> {
  const { service, events } = deps;
  let executionId: string | null = null;
  const early: EventMap['execution.output'][] = [];
  const out = new PassThrough();
  const write = (line: StreamLine) => out.write(`${JSON.stringify(line)}\n`);
  // Events carry bytes; these lines carry text, decoded per stream so a character split between
  // two chunks arrives whole.
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const writeOutput = (event: EventMap['execution.output']) => {
    const data = decoders[event.stream].write(Buffer.from(event.data, 'base64'));
    if (data) write({ type: event.stream, data });
  };
  const unsubscribe = events.subscribe('execution.output', (event) => {
    if (executionId === null) early.push(event);
    else if (event.executionId === executionId) writeOutput(event);
  });
  try {
    const started = await service.execute(accessFor(request), vmIdOrName, input, options);
    executionId = started.executionId;
    reply.status(200).type('application/x-ndjson').header('cache-control', 'no-store');
    void reply.send(out);
    write({ type: 'task', task_id: started.task.id, execution_id: started.executionId });
    for (const event of early.splice(0)) {
      if (event.executionId === executionId) writeOutput(event);
    }
    const abort = new AbortController();
    request.raw.once('close', () => abort.abort());
    void (async () => {
      try {
        const task = await service
          .waitForTask(started.task.id, settings.maxWaitMs, withClosing(deps, abort.signal))
          .catch((error: unknown) => {
            throw deps.closing?.aborted ? shuttingDown(started.task.id) : error;
          });
        const execution = await service.getExecution(accessFor(request), started.executionId);
        if (execution.completedAt && !execution.error) {
          write({
            type: 'exit',
            exit_code: execution.exitCode,
            timed_out: execution.timedOut,
            execution: executionJson(execution),
          });
        }
        if (execution.error) {
          write({ type: 'error', error: execution.error });
        } else if (task.status !== 'completed') {
          write({
            type: 'error',
            error: task.error ?? { code: 'ERR_INTERNAL', message: `task ${task.status}`, retryable: false },
          });
        }
      } catch (error) {
        write({ type: 'error', error: toWireError(error) });
      } finally {
        unsubscribe();
        out.end();
      }
    })();
    return reply;
  } catch (error) {
    unsubscribe();
    throw error;
  }
}
