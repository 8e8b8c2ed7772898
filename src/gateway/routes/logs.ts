import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LOG_QUERY_DEFAULT_LIMIT } from '../../api/logs.js';
import { AetherError } from '../../core/errors.js';
import type { LogLevel } from '../../core/logs.js';
import { type LogFilterFields, logFilterFor, requireLogReader } from '../../service/logs/log-access.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';
import { logLineJson } from '../serialize-log.js';

/** The filter fields both log routes take, as validated. */
export interface LogFilterQuery {
  vm_id?: string | undefined;
  task_id?: string | undefined;
  execution_id?: string | undefined;
  level?: LogLevel | undefined;
  text?: string | undefined;
}

export function logFieldsOf(query: LogFilterQuery): LogFilterFields {
  return {
    vmId: query.vm_id,
    taskId: query.task_id,
    executionId: query.execution_id,
    level: query.level,
    text: query.text,
  };
}

/** `POST /logs/query`; the live tail (`GET /logs/stream`) lives with the other streams. */
export function logRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/logs/query', routeOptions('queryLogs'), async (request) => {
      const reader = requireLogReader(deps.logs);
      const { body } = request;
      if (body.start && body.end && Date.parse(body.start) >= Date.parse(body.end)) {
        throw new AetherError('ERR_VALIDATION', 'body: start must be before end');
      }
      const filter = await logFilterFor(
        (access, vm) => deps.services.vms.get(access, vm),
        accessFor(request),
        logFieldsOf(body),
      );
      const order = body.order ?? 'desc';
      const lines = await reader.query({
        ...filter,
        ...(body.start ? { start: new Date(body.start) } : {}),
        ...(body.end ? { end: new Date(body.end) } : {}),
        limit: body.limit ?? LOG_QUERY_DEFAULT_LIMIT,
        order,
      });
      return { lines: lines.map(logLineJson), order };
    });
  };
}
