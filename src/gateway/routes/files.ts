/**
 * Files in and out of a VM: thin routes over the data service. Bodies are never buffered: an
 * upload's request stream goes to the worker as it arrives, a download's answer is the worker's
 * stream.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { FILE_ENTRY_HEADER, RAW_MEDIA_TYPE, TAR_MEDIA_TYPE } from '../../api/files.js';
import { AetherError } from '../../core/errors.js';
import type { FsEntry, FsListing } from '../../core/guest-files.js';
import type { DataService } from '../../service/data-service.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';

export function fileRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  const data = () => dataServiceOf(deps);
  return async (app) => {
    // The body stays a stream: the handler reads it with backpressure, at any size.
    app.addContentTypeParser([RAW_MEDIA_TYPE, TAR_MEDIA_TYPE], (_request, payload, done) =>
      done(null, payload),
    );

    app.get('/vms/:id/files', routeOptions('downloadFile'), async (request, reply) => {
      const aborted = abortOnClose(request.raw);
      const download = await data().download(accessFor(request), request.params.id, request.query.path, {
        ...(request.query.format ? { format: request.query.format } : {}),
        signal: aborted.signal,
      });
      reply.header('content-type', download.format === 'tar' ? TAR_MEDIA_TYPE : RAW_MEDIA_TYPE);
      reply.header(FILE_ENTRY_HEADER, JSON.stringify(entryJson(download.entry)));
      if (download.size !== undefined) reply.header('content-length', download.size);
      // A stream is sent as it is; the typed reply knows only the JSON answers.
      return reply.send(download.body as never);
    });

    app.put('/vms/:id/files', routeOptions('uploadFile'), async (request, reply) => {
      const body = streamedBody(request.body);
      const format = request.headers['content-type']?.startsWith(TAR_MEDIA_TYPE) ? 'tar' : 'raw';
      const aborted = abortOnClose(request.raw);
      const result = await data().upload(accessFor(request), request.params.id, request.query.path, body, {
        format,
        ...(request.query.mode !== undefined ? { mode: request.query.mode } : {}),
        signal: aborted.signal,
      });
      return reply.code(201).send({ path: request.query.path, ...result });
    });

    app.delete('/vms/:id/files', routeOptions('deleteFile'), async (request) => {
      await data().remove(accessFor(request), request.params.id, request.query.path, request.query.recursive);
      return { ok: true as const };
    });

    app.get('/vms/:id/files/stat', routeOptions('statFile'), async (request) =>
      entryJson(await data().stat(accessFor(request), request.params.id, request.query.path)),
    );

    app.get('/vms/:id/files/list', routeOptions('listFiles'), async (request) =>
      listingJson(
        await data().list(accessFor(request), request.params.id, request.query.path, request.query.recursive),
      ),
    );

    app.post('/vms/:id/files/mkdir', routeOptions('makeDirectory'), async (request, reply) => {
      await data().mkdir(accessFor(request), request.params.id, request.body.path, request.body.parents);
      return reply.code(201).send({ ok: true as const });
    });

    app.post('/vms/:id/files/move', routeOptions('moveFile'), async (request) => {
      await data().rename(accessFor(request), request.params.id, request.body.from, request.body.to);
      return { ok: true as const };
    });
  };
}

/** The request's own stream, as the content-type parser above left it. */
export function streamedBody(body: unknown): IncomingMessage {
  if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
    throw new AetherError(
      'ERR_VALIDATION',
      `send the bytes as ${RAW_MEDIA_TYPE} (or a tar archive as ${TAR_MEDIA_TYPE})`,
    );
  }
  return body as IncomingMessage;
}

/** The data service, or ERR_UNSUPPORTED on a gateway built without one. */
export function dataServiceOf(deps: GatewayDeps): DataService {
  if (!deps.data) throw new AetherError('ERR_UNSUPPORTED', 'this gateway has no data plane');
  return deps.data;
}

/** Aborted when the client goes away before its answer is complete. */
function abortOnClose(raw: IncomingMessage): AbortController {
  const controller = new AbortController();
  raw.once('close', () => {
    if (!raw.complete)
      controller.abort(new AetherError('ERR_TRANSFER_ABORTED', 'the client went away mid-transfer'));
  });
  return controller;
}

function entryJson(entry: FsEntry) {
  return {
    name: entry.name,
    type: entry.type,
    size: entry.size,
    mode: entry.mode,
    mtime: new Date(entry.mtimeMs).toISOString(),
    ...(entry.target !== undefined ? { target: entry.target } : {}),
  };
}

function listingJson(listing: FsListing) {
  return { entries: listing.entries.map(entryJson), truncated: listing.truncated };
}
