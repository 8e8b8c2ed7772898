import { type LogRecord, logKindOf } from '../core/logs.js';
import { LogDeliveryError, type LogSender } from './batcher.js';
import { type LokiSettings, lokiEndpoint, lokiHeaders } from './loki-settings.js';

/**
 * Labels are what Loki indexes: every distinct label set is a stream of its own, with its own
 * chunks and index entries, so a label whose values never repeat (a VM, task or execution id)
 * would make a stream per resource and overwhelm Loki's index. Only fields with few values are
 * labels: the service (a handful of roles), the level (six), the kind (`platform` or `output`:
 * Loki's own retention is per stream, so `retention_stream` on `{kind="output"}` keeps command
 * output for less time than the platform's lines), the project (as many as tenants) and the
 * worker (as many as hosts). Ids stay in the JSON line, where LogQL line filters
 * (`|= "\"vm_id\":\"…\""`) and `| json` find them.
 */
export function lokiLabels(record: LogRecord): Record<string, string> {
  const labels: Record<string, string> = {
    service: record.service,
    level: record.level,
    kind: logKindOf(record),
  };
  if (record.project) labels.project = record.project;
  if (record.worker) labels.worker = record.worker;
  return labels;
}

/**
 * The line: compact JSON with the message first, then the ids, then the other fields. Queries
 * build their line filters on this exact encoding (see logql.ts): `"vm_id":"<id>"`.
 */
export function lokiLine(record: LogRecord): string {
  const line: Record<string, unknown> = { msg: record.message };
  if (record.vmId) line.vm_id = record.vmId;
  if (record.taskId) line.task_id = record.taskId;
  if (record.executionId) line.execution_id = record.executionId;
  for (const [key, value] of Object.entries(record.fields)) if (!(key in line)) line[key] = value;
  return JSON.stringify(line);
}

interface PushStream {
  stream: Record<string, string>;
  values: [string, string][];
}

/**
 * The body of `POST /loki/api/v1/push`: lines grouped into streams by label set, timestamps as
 * nanosecond strings. Lines of one millisecond get increasing nanoseconds, in write order, so
 * Loki keeps them apart and in order.
 */
export function lokiPushBody(batch: readonly LogRecord[]): { streams: PushStream[] } {
  const streams = new Map<string, PushStream>();
  let lastMs = -1;
  let sub = 0;
  for (const record of batch) {
    const ms = record.time.getTime();
    sub = ms === lastMs ? sub + 1 : 0;
    lastMs = ms;
    const ns = `${ms}${String(Math.min(sub, 999_999)).padStart(6, '0')}`;
    const labels = lokiLabels(record);
    const key = JSON.stringify(Object.entries(labels).sort());
    let stream = streams.get(key);
    if (!stream) {
      stream = { stream: labels, values: [] };
      streams.set(key, stream);
    }
    stream.values.push([ns, lokiLine(record)]);
  }
  return { streams: [...streams.values()] };
}

/** 429 (rate limited) and 5xx are Loki's "later"; any other 4xx refuses the batch itself. */
function retryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Ships batches to Loki's push API; a hung request is abandoned after `timeoutMs` and retried. */
export function createLokiPusher(settings: LokiSettings): LogSender {
  const url = lokiEndpoint(settings, '/loki/api/v1/push');
  const headers = { 'content-type': 'application/json', ...lokiHeaders(settings) };
  return async (batch) => {
    if (batch.length === 0) return;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(lokiPushBody(batch)),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (error) {
      throw new LogDeliveryError(`cannot reach Loki at ${url.origin}`, true, { cause: error });
    }
    if (res.ok) {
      await res.arrayBuffer().catch(() => {});
      return;
    }
    const text = (await res.text().catch(() => '')).slice(0, 300);
    throw new LogDeliveryError(`Loki answered ${res.status}: ${text}`, retryableStatus(res.status));
  };
}
