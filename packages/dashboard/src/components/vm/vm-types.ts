// Request bodies of the VM operations, looked up by operation id in the types generated from
// the OpenAPI document (answers are `Schemas[...]`, from lib/api.ts).
import type { CreateVmRequest, ExecuteRequest, RouteBody } from '../../../../sdk/src/api-types';

export type { CreateVmRequest, ExecuteRequest };
export type CreatePreviewRequest = RouteBody<'createPreview'>;
export type OpenTerminalRequest = RouteBody<'openTerminal'>;
export type ExtendVmRequest = RouteBody<'extendVm'>;
export type MkdirRequest = RouteBody<'makeDirectory'>;
