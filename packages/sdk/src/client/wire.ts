/** Names and sizes the wire protocol fixes, beyond what the OpenAPI document can say. */

/** API routes live under this prefix on a gateway. */
export const API_PREFIX = '/api/v1';
/** A file's bytes, up or down. */
export const RAW_MEDIA_TYPE = 'application/octet-stream';
/** A tar archive of a directory tree, up or down. */
export const TAR_MEDIA_TYPE = 'application/x-tar';
/** A download's header naming what was downloaded (a JSON FsEntry). */
export const FILE_ENTRY_HEADER = 'x-aether-entry';
/** Largest frame a terminal or port socket takes; larger writes are cut into frames this size. */
export const SOCKET_FRAME_BYTES = 64 * 1024;

/** The path of a route with its parameters filled in (each one URL-encoded). */
export function fillPath(path: string, params: Readonly<Record<string, string>>): string {
  return path.replaceAll(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`path ${path} needs the parameter ${name}`);
    return encodeURIComponent(value);
  });
}
