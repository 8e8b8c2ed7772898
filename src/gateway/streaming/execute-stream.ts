import { StringDecoder } from 'node:string_decoder';
import type { z } from 'zod';
import type { ApiSchema } from '../../api/schemas.js';
import { AetherError } from '../../core/errors.js';
import { OUTPUT_STREAMS, type OutputEvent, type OutputStream } from '../../core/output.js';
import type { Access } from '../../core/principal.js';
import type { TaskRecord } from '../../core/task.js';
import type { ExecutionOutputService } from '../../service/output/execution-output-service.js';
import { executionJson } from '../serialize.js';
import { shuttingDown } from '../write-reply.js';
import type { StreamSpec } from './run-stream.js';
import { NORMAL_CLOSE } from './transport.js';

/** One line of `POST /vms/{id}/execute?stream=true` (src/api/responses.ts). */
export type ExecuteStreamLine = z.output<ApiSchema<'ExecutionStreamLine'>>;

/**
 * The NDJSON answer of an execution started with `?stream=true`: its task, then its output as
 * text as it runs — the same output every reader follows, from the store and the bus — then its
 * exit or error. It waits at most `maxWaitMs` for the end, as `?wait=true` does
 * (ERR_WAIT_TIMEOUT; the execution goes on).
 */
export function executeStream(
  output: ExecutionOutputService,
  access: Access,
  started: { task: TaskRecord; executionId: string },
  maxWaitMs: number,
): StreamSpec<ExecuteStreamLine> {
  const { task, executionId } = started;
  return {
    name: 'execute stream',
    context: { executionId, taskId: task.id },
    async *messages(signal) {
      yield { type: 'task', task_id: task.id, execution_id: executionId };
      const deadline = AbortSignal.timeout(maxWaitMs);
      const text = textOf();
      let ended = false;
      const follow = output.follow(access, executionId, { signal: AbortSignal.any([signal, deadline]) });
      for await (const event of follow) {
        ended = event.type !== 'chunk';
        yield* text(event);
      }
      if (!ended && deadline.aborted && !signal.aborted) {
        const timeout = new AetherError(
          'ERR_WAIT_TIMEOUT',
          `task ${task.id} did not finish within ${maxWaitMs} ms; it goes on running`,
          { details: { taskId: task.id } },
        );
        yield { type: 'error', error: timeout.toWire() };
      }
    },
    isFinal: (line) => line.type === 'exit' || line.type === 'error',
    failure: (error) => ({ type: 'error', error }),
    shutdown: () => shuttingDown(task.id).toWire(),
    closeAfter: () => NORMAL_CLOSE,
  };
}

/**
 * Output events as lines. Chunks carry bytes, these lines text: decoded per stream, so that a
 * character split between two chunks arrives whole.
 */
function textOf(): (event: OutputEvent) => Generator<ExecuteStreamLine> {
  const decoders: Record<OutputStream, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };
  return function* (event) {
    if (event.type === 'chunk') {
      const data = decoders[event.stream].write(event.data);
      if (data) yield { type: event.stream, data };
      return;
    }
    for (const stream of OUTPUT_STREAMS) {
      const rest = decoders[stream].end();
      if (rest) yield { type: stream, data: rest };
    }
    if (event.type === 'failed') {
      yield { type: 'error', error: event.error };
    } else if (event.execution.error) {
      yield { type: 'error', error: event.execution.error };
    } else {
      const { execution } = event;
      yield {
        type: 'exit',
        exit_code: execution.exitCode,
        timed_out: execution.timedOut,
        execution: executionJson(execution),
      };
    }
  };
}
