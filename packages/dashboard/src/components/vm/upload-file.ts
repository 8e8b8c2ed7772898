// A file upload (PUT /vms/{id}/files, the bytes as application/octet-stream) that reports its
// progress. fetch() cannot tell how much of a request body has been sent; XMLHttpRequest can.
import { API, ApiError, queryString, type Schemas, seg } from '../../lib/api';
import { sessionLost } from '../../lib/session';

export interface UploadOptions {
  vmId: string;
  /** Where the file goes in the VM (parents are created). */
  path: string;
  file: Blob;
  /** Null when no session cookie authenticates (auth off): nothing to send then. */
  csrfToken: string | null;
  onProgress: (sentBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

function errorOf(xhr: XMLHttpRequest): ApiError {
  try {
    const body = JSON.parse(xhr.responseText) as { error?: { code?: string; message?: string } };
    if (body.error?.code)
      return new ApiError(xhr.status, body.error.code, body.error.message ?? body.error.code);
  } catch {
    // Not JSON: the status says enough.
  }
  return new ApiError(xhr.status, `HTTP_${xhr.status}`, xhr.statusText || 'the upload failed');
}

export function uploadFile(options: UploadOptions): Promise<Schemas['UploadResult']> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `${API}/vms/${seg(options.vmId)}/files${queryString({ path: options.path })}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    if (options.csrfToken) xhr.setRequestHeader('x-csrf-token', options.csrfToken);
    xhr.upload.onprogress = (event) =>
      options.onProgress(event.loaded, event.lengthComputable ? event.total : options.file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(JSON.parse(xhr.responseText) as Schemas['UploadResult']);
        return;
      }
      if (xhr.status === 401) sessionLost();
      reject(errorOf(xhr));
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'ERR_TRANSFER_ABORTED', 'the connection closed during the upload'));
    xhr.onabort = () => reject(new ApiError(0, 'ERR_TRANSFER_ABORTED', 'the upload was cancelled'));
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(options.file);
  });
}
