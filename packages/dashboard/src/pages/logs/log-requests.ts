// The request shapes of the log endpoints, from the generated OpenAPI document (request bodies
// and query strings are not among its named schemas).
import type { operations } from '../../../../sdk/src/generated/openapi';

export type LogQueryRequest = operations['queryLogs']['requestBody']['content']['application/json'];
export type LogStreamQuery = NonNullable<operations['streamLogs']['parameters']['query']>;
export type LogLevel = NonNullable<LogQueryRequest['level']>;

/** Lowest first, as the API ranks them: a level filter keeps that level and those after it. */
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
