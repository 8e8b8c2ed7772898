import type { FastifyInstance } from 'fastify';
import { RAW_MEDIA_TYPE, TAR_MEDIA_TYPE } from '../api/files.js';

/**
 * A body sent without a JSON content type that is JSON all the same. `curl -d '{...}'` without
 * `-H 'Content-Type: application/json'` labels it a form, as the original system's examples
 * did; such a body is read as JSON. One that is clearly something else gets a 415 saying what
 * to send; one that starts like JSON but does not parse gets the same 400 as a broken JSON body.
 */
export class UnsupportedMediaType extends Error {
  readonly code = 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
  readonly statusCode = 415;

  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedMediaType';
  }
}

function fromBrowser(headers: Record<string, string | string[] | undefined>): boolean {
  return headers.origin !== undefined || headers['sec-fetch-site'] !== undefined;
}

function sentAs(contentType: string | undefined): string {
  return contentType ? `"${contentType}"` : 'no content type';
}

/**
 * Every content type without a parser of its own (and none at all) is tried as JSON, with the
 * same parser and prototype-poisoning rules as `application/json`. Routes that take bytes
 * (files, stdin) and webhooks keep their own parsers.
 */
export function acceptJsonOfAnyContentType(app: FastifyInstance): void {
  // Plain text would otherwise reach the schemas as a string ("expected object").
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const contentType = request.headers['content-type'];
    if ((request.routeOptions.config as { streamedBody?: boolean } | undefined)?.streamedBody) {
      const message = `send the bytes as ${RAW_MEDIA_TYPE} (or a tar archive as ${TAR_MEDIA_TYPE}); they came as ${sentAs(contentType)}`;
      return done(new UnsupportedMediaType(message), undefined);
    }
    // A page on another site can send a form or text/plain body without a preflight; a JSON
    // content type it cannot. So a browser's request (it always names its Origin on a POST)
    // keeps needing the JSON type: only clients such as curl get the leniency.
    if (fromBrowser(request.headers)) {
      const message = `send the body as JSON with "Content-Type: application/json"; a browser's request that came as ${sentAs(contentType)} is refused`;
      return done(new UnsupportedMediaType(message), undefined);
    }
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    if (!/^\s*[[{]/.test(text)) {
      const message = `send the body as JSON with "Content-Type: application/json"; it came as ${sentAs(contentType)} and is not JSON`;
      return done(new UnsupportedMediaType(message), undefined);
    }
    parseJson(request, text, done);
  });
}
