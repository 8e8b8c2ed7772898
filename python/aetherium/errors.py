"""Errors the SDK raises.

Every error answer of the API, and a gateway that could not be reached, is an `AetherError`
carrying the API's stable `code` (``ERR_VM_NOT_FOUND``...), the HTTP `status` (0 when no answer
came) and whether trying again can help (`retryable`). Subclasses group the codes a caller
handles alike, so ``except NotFoundError`` needs no list of codes; match on `code` for one case.
"""

from __future__ import annotations

import builtins
import json
import re
from typing import Any, Final, get_args

from ._api_types import ApiErrorCode

#: Codes the SDK gives itself, for failures that never reached an answer of the API.
CLIENT_ERROR_CODES: Final = (
    # No connection to the gateway (refused, reset, DNS): nothing was done.
    "ERR_GATEWAY_UNREACHABLE",
    # An answer that is not the API's error body (a proxy's page, say).
    "ERR_HTTP",
    # A stream sent a message this SDK does not know.
    "ERR_STREAM_PROTOCOL",
    # A stream closed before its end and could not be resumed.
    "ERR_STREAM_CLOSED",
    # The gateway did not answer within the SDK's own time limit.
    "ERR_CLIENT_TIMEOUT",
)

#: Every code the API may answer, from its OpenAPI document.
API_ERROR_CODES: Final[tuple[str, ...]] = get_args(ApiErrorCode)


class AetherError(Exception):
    """An error answer of the API, or a failure to get one (status 0)."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 0,
        retryable: bool | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        # The API says; without its word, only a failed connection or a busy gateway is worth a retry.
        self.retryable = retryable if retryable is not None else status in (0, 502, 503, 504)
        self.details = details or {}

    def __str__(self) -> str:
        where = f"HTTP {self.status}" if self.status else "no answer"
        return f"{self.code} ({where}): {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status}, message={self.message!r})"


class ValidationError(AetherError):
    """The request was wrong (400); the message names the field, and so does `field`."""

    @property
    def field(self) -> str | None:
        """The field the API refused (``vcpus``, ``labels.A``), when it says."""
        named = self.details.get("field")
        if isinstance(named, str):
            return named
        match = re.match(r"(?:body|querystring|params|query)\.([^:]+):", self.message)
        return match.group(1) if match else None


class AuthenticationError(AetherError):
    """No credentials, or not valid ones (401): set AETHER_TOKEN or pass `api_key`."""


class PermissionError(AetherError, builtins.PermissionError):
    """Valid credentials without the right to this (403), or a file the VM does not let you touch."""


#: The name the TypeScript SDK uses for the same family.
PermissionDeniedError = PermissionError


class NotFoundError(AetherError):
    """No such VM, execution, file, terminal... (``ERR_*_NOT_FOUND``), or one of another project."""


class ConflictError(AetherError):
    """The thing is not in a state that allows this (409): a stopped VM, a name taken, a file there."""


class UnprocessableError(AetherError):
    """Understood but cannot be carried out: a command that could not start, a full disk, a body too large."""


class RateLimitError(AetherError):
    """Too many requests, streams or VMs (429, quotas): wait, or close some, and retry."""


class TimeoutError(AetherError, builtins.TimeoutError):
    """A time limit passed: the gateway's wait (the work goes on), a boot, or the SDK's own."""


class UnavailableError(AetherError):
    """The gateway or a backend cannot serve now (503, no connection): try again later."""


class UnsupportedError(AetherError):
    """This driver or build cannot do that (501)."""


class TransferAbortedError(AetherError):
    """A transfer or a stream was cut before its end."""


class ServerError(AetherError):
    """The platform failed on its side (a worker lost, a driver failure, an internal error)."""


_FAMILIES: Final[dict[str, type[AetherError]]] = {
    "ERR_VALIDATION": ValidationError,
    "ERR_BAD_JSON": ValidationError,
    "ERR_BODY_TOO_LARGE": UnprocessableError,
    "ERR_NOT_FOUND": NotFoundError,
    "ERR_UNAUTHENTICATED": AuthenticationError,
    "ERR_FORBIDDEN": PermissionError,
    "ERR_QUOTA_EXCEEDED": RateLimitError,
    "ERR_RATE_LIMITED": RateLimitError,
    "ERR_REQUEST_TIMEOUT": TimeoutError,
    "ERR_KEY_NOT_FOUND": NotFoundError,
    "ERR_VM_NOT_FOUND": NotFoundError,
    "ERR_TASK_NOT_FOUND": NotFoundError,
    "ERR_EXECUTION_NOT_FOUND": NotFoundError,
    "ERR_JOB_NOT_FOUND": NotFoundError,
    "ERR_SNAPSHOT_NOT_FOUND": NotFoundError,
    "ERR_SNAPSHOT_NOT_READY": ConflictError,
    "ERR_SNAPSHOT_IN_USE": ConflictError,
    "ERR_VM_NAME_TAKEN": ConflictError,
    "ERR_VM_NAME_AMBIGUOUS": ConflictError,
    "ERR_VM_NOT_RUNNING": ConflictError,
    "ERR_INVALID_TRANSITION": ConflictError,
    "ERR_DRIVER_UNKNOWN": ValidationError,
    "ERR_NO_WORKER": UnavailableError,
    "ERR_UNSUPPORTED": UnsupportedError,
    "ERR_EXEC_SPAWN_FAILED": UnprocessableError,
    "ERR_EXEC_TIMEOUT": TimeoutError,
    "ERR_TASK_TIMEOUT": TimeoutError,
    "ERR_TASK_CANCELLED": ConflictError,
    "ERR_TASK_INTERRUPTED": ServerError,
    "ERR_TASK_NOT_STARTED": UnavailableError,
    "ERR_WAIT_TIMEOUT": TimeoutError,
    "ERR_VM_BOOT_TIMEOUT": TimeoutError,
    "ERR_VM_LOST": ServerError,
    "ERR_VM_FAILED": ServerError,
    "ERR_WORKER_LOST": ServerError,
    "ERR_STALE_ATTEMPT": ConflictError,
    "ERR_WORKER_DRAINING": UnavailableError,
    "ERR_SHUTTING_DOWN": UnavailableError,
    "ERR_AGENT_UNREACHABLE": UnavailableError,
    "ERR_AGENT_PROTOCOL": ServerError,
    "ERR_ISOLATION_UNAVAILABLE": UnavailableError,
    "ERR_DRIVER_FAILED": ServerError,
    "ERR_FIRECRACKER_FAULT": ServerError,
    "ERR_PREFLIGHT_FAILED": UnavailableError,
    "ERR_IMAGE_BUILD_FAILED": ServerError,
    "ERR_HOST_TOOL_MISSING": UnavailableError,
    "ERR_KERNEL_CONFIG": ServerError,
    "ERR_NETWORK_UNAVAILABLE": UnavailableError,
    "ERR_NETWORK_EXHAUSTED": UnavailableError,
    "ERR_IMAGE_NOT_FOUND": NotFoundError,
    "ERR_VM_OUT_OF_MEMORY": UnprocessableError,
    "ERR_TOOL_UNAVAILABLE": UnprocessableError,
    "ERR_TOOL_NEEDS_NETWORK": UnprocessableError,
    "ERR_TOOL_INSTALL_TIMEOUT": TimeoutError,
    "ERR_TOOL_INSTALL_FAILED": ServerError,
    "ERR_STORE_UNAVAILABLE": UnavailableError,
    "ERR_QUEUE_UNAVAILABLE": UnavailableError,
    "ERR_LOGS_UNAVAILABLE": UnavailableError,
    "ERR_WEBHOOK_UNVERIFIED": AuthenticationError,
    "ERR_WEBHOOK_REPLAYED": ConflictError,
    "ERR_WEBHOOK_NOT_FOUND": NotFoundError,
    "ERR_WEBHOOK_DELIVERY_NOT_FOUND": NotFoundError,
    "ERR_WEBHOOK_URL_REFUSED": ValidationError,
    "ERR_INTEGRATION_FAILED": ServerError,
    "ERR_CONFIG": ServerError,
    "ERR_INTERNAL": ServerError,
    "ERR_FILE_NOT_FOUND": NotFoundError,
    "ERR_NOT_A_DIRECTORY": ValidationError,
    "ERR_IS_A_DIRECTORY": ValidationError,
    "ERR_PERMISSION_DENIED": PermissionError,
    "ERR_FILE_EXISTS": ConflictError,
    "ERR_DIRECTORY_NOT_EMPTY": ConflictError,
    "ERR_VM_DISK_FULL": UnprocessableError,
    "ERR_TRANSFER_ABORTED": TransferAbortedError,
    "ERR_EXECUTION_NOT_RUNNING": ConflictError,
    "ERR_PORT_UNREACHABLE": UnavailableError,
    "ERR_TERMINAL_NOT_FOUND": NotFoundError,
    "ERR_PREVIEW_EXPIRED": AuthenticationError,
    "ERR_PREVIEW_NOT_FOUND": NotFoundError,
    "ERR_TOO_MANY_STREAMS": RateLimitError,
    "ERR_CSRF": PermissionError,
    # The SDK's own.
    "ERR_GATEWAY_UNREACHABLE": UnavailableError,
    "ERR_STREAM_CLOSED": TransferAbortedError,
    "ERR_CLIENT_TIMEOUT": TimeoutError,
}

# A code this SDK does not know yet (a newer gateway) is sorted by its status.
_BY_STATUS: Final[dict[int, type[AetherError]]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionError,
    404: NotFoundError,
    409: ConflictError,
    413: UnprocessableError,
    422: UnprocessableError,
    429: RateLimitError,
    501: UnsupportedError,
    503: UnavailableError,
    504: TimeoutError,
    507: UnprocessableError,
}


def family_of(code: str, status: int = 0) -> type[AetherError]:
    """The class an error of `code` (or, for a code not known here, of `status`) is raised as."""
    return _FAMILIES.get(code) or _BY_STATUS.get(status) or AetherError


def error_of(
    code: str,
    message: str,
    status: int = 0,
    retryable: bool | None = None,
    details: dict[str, Any] | None = None,
) -> AetherError:
    """An error of the class its code names."""
    return family_of(code, status)(code, message, status, retryable, details)


def error_from_body(status: int, text: str) -> AetherError:
    """The error an answer's body describes (``{"error": {code, message, retryable}}``), else ERR_HTTP."""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        details = error.get("details")
        return error_of(
            error["code"],
            str(error.get("message", "")),
            status,
            error.get("retryable") if isinstance(error.get("retryable"), bool) else None,
            details if isinstance(details, dict) else None,
        )
    return error_of("ERR_HTTP", f"HTTP {status}: {text[:200]}", status)
