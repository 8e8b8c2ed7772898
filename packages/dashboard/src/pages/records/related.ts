// The records a task was about, read from its payload and result (their fields are camelCase:
// they are the task's own data, passed through by the API as they were queued).

function stringField(value: unknown, name: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === 'string' && field !== '' ? field : null;
}

/** The execution a `vm:execute` task ran, if any. */
export function executionOf(task: { payload: unknown; result: unknown }): string | null {
  return stringField(task.payload, 'executionId') ?? stringField(task.result, 'executionId');
}

/** The job a `job:run` task ran, if any. */
export function jobOf(task: { payload: unknown; result: unknown }): string | null {
  return stringField(task.payload, 'jobId') ?? stringField(task.result, 'jobId');
}
