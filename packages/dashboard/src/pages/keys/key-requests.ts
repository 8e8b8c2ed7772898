// The request shape of POST /keys, from the generated OpenAPI document (request bodies are not
// among its named schemas).
import type { operations } from '../../../../sdk/src/generated/openapi';

export type CreateKeyRequest = operations['createKey']['requestBody']['content']['application/json'];

/** As the API checks them (src/api/keys.ts), so the form says what is wrong before sending. */
export const KEY_NAME_PATTERN = /^[\x20-\x7e]{1,100}$/;
export const PROJECT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const MAX_EXPIRY_DAYS = 3650;
