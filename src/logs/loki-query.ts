import { createHash } from 'node:crypto';
import { AetherError } from '../core/errors.js';
import { isLogLevel, type LogLine, type LogQuery, type LogReader } from '../core/logs.js';
import { buildLogQl } from './logql.js';
import { type LokiSettings, lokiEndpoint, lokiHeaders } from './loki-settings.js';

/** Without a start, a query looks this far back (Loki refuses ranges past its max query length). */
export const LOKI_DEFAULT_LOOKBACK_MS = 7 * 24 * 3_600_000;

interface QueryRangeBody {
  status?: string;
  data?: { resultType?: string; result?: { stream?: Record<string, string>; values?: [string, string][] }[] };
}

const nanos = (date: Date) => `${BigInt(date.getTime()) * 1_000_000n}`;
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

/** A line of a query_range answer back as a LogLine: labels and the JSON line (loki-push.ts). */
export function lineFromLoki(labels: Record<string, string>, ns: string, text: string): LogLine {
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      parsed = value as Record<string, unknown>;
    else parsed = { msg: text };
  } catch {
    parsed = { msg: text };
  }
  const { msg, vm_id, task_id, execution_id, ...fields } = parsed;
  return {
    // Lines of one instant differ in text: the pair names a line for a tail's bookkeeping.
    id: `${ns}:${createHash('sha1').update(text).digest('hex').slice(0, 12)}`,
    time: new Date(Number(BigInt(ns) / 1_000_000n)),
    level: isLogLevel(labels.level) ? labels.level : 'info',
    service: labels.service ?? 'aether',
    project: labels.project ?? null,
    worker: labels.worker ?? null,
    vmId: str(vm_id),
    taskId: str(task_id),
    executionId: str(execution_id),
    message: typeof msg === 'string' ? msg : text,
    fields,
  };
}

/** Answers queries from Loki's `GET /loki/api/v1/query_range`; any failure is ERR_LOGS_UNAVAILABLE. */
export function createLokiReader(settings: LokiSettings): LogReader {
  return {
    async query(query: LogQuery): Promise<LogLine[]> {
      const end = query.end ?? new Date(Date.now() + 1000);
      const start = query.start ?? new Date(end.getTime() - LOKI_DEFAULT_LOOKBACK_MS);
      const url = lokiEndpoint(settings, '/loki/api/v1/query_range');
      url.searchParams.set('query', buildLogQl(query));
      url.searchParams.set('start', nanos(start));
      // Loki's end is inclusive; ours is exclusive.
      url.searchParams.set('end', `${BigInt(nanos(end)) - 1n}`);
      url.searchParams.set('limit', String(query.limit));
      url.searchParams.set('direction', query.order === 'asc' ? 'forward' : 'backward');
      let body: QueryRangeBody;
      try {
        const res = await fetch(url, {
          headers: lokiHeaders(settings),
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
        if (!res.ok) {
          const text = (await res.text().catch(() => '')).slice(0, 300);
          throw new Error(`Loki answered ${res.status}: ${text}`);
        }
        body = (await res.json()) as QueryRangeBody;
      } catch (error) {
        throw new AetherError('ERR_LOGS_UNAVAILABLE', `cannot query Loki: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (body.status !== 'success' || body.data?.resultType !== 'streams') {
        throw new AetherError(
          'ERR_LOGS_UNAVAILABLE',
          `Loki answered an unexpected body (status ${String(body.status)})`,
        );
      }
      const lines: (LogLine & { ns: bigint })[] = [];
      for (const stream of body.data.result ?? []) {
        for (const [ns, text] of stream.values ?? []) {
          lines.push({ ...lineFromLoki(stream.stream ?? {}, ns, text), ns: BigInt(ns) });
        }
      }
      // Streams come one after another: merge them into one order by time.
      const sign = query.order === 'asc' ? 1 : -1;
      lines.sort((a, b) => (a.ns === b.ns ? 0 : a.ns < b.ns ? -sign : sign));
      return lines.slice(0, query.limit).map(({ ns: _ns, ...line }) => line);
    },
  };
}
