import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AetherError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { UnsupportedMediaType } from './json-body-any-type.js';
import { redactUrl } from './redact-url.js';

interface ErrorBody {
  error: { code: ErrorCode; message: string; retryable: boolean; details?: Record<string, unknown> };
}

function body(
  code: ErrorCode,
  message: string,
  retryable = false,
  details?: Record<string, unknown>,
): ErrorBody {
  return { error: { code, message, retryable, ...(details ? { details } : {}) } };
}

/** Maps Fastify's own errors onto our codes; everything else unknown is a 500 without internals. */
function classify(error: FastifyError): { status: number; payload: ErrorBody } {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'request';
    const problems = error.validation.map((issue) => {
      const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return `${where}${path ? `.${path}` : ''}: ${issue.message}`;
    });
    return { status: 400, payload: body('ERR_VALIDATION', problems.join('; ')) };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        payload: body('ERR_BODY_TOO_LARGE', 'request body is too large; send less data'),
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        payload: body('ERR_BAD_JSON', `request body is not valid JSON: ${error.message}`),
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        payload: body(
          'ERR_VALIDATION',
          error instanceof UnsupportedMediaType ? error.message : 'send the body as application/json',
        ),
      };
  }
  if (error instanceof SyntaxError) {
    return { status: 400, payload: body('ERR_BAD_JSON', `request body is not valid JSON: ${error.message}`) };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, payload: body('ERR_VALIDATION', error.message) };
  }
  return { status: 500, payload: body('ERR_INTERNAL', 'internal error; see the gateway log') };
}

export function installErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AetherError) {
      const wire = error.toWire();
      if (error.status >= 500) logger.warn({ err: error, url: redactUrl(request.url) }, 'request failed');
      return reply.status(error.status).send(body(wire.code, wire.message, wire.retryable, wire.details));
    }
    const { status, payload } = classify(error);
    if (status >= 500) logger.error({ err: error, url: redactUrl(request.url) }, 'unhandled error');
    return reply.status(status).send(payload);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(body('ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}

/**
 * Errors the router raises before any route or hook runs (a malformed URL, a path parameter past
 * the length cap): answered in the same shape as everything else, never Fastify's own.
 */
export function frameworkErrorAnswer(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a path parameter is too long; ids and names are at most 128 characters'
      : `malformed URL: ${error.message}`;
  reply.status(400).send(body('ERR_VALIDATION', message));
}
