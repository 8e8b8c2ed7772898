"""Aetherium's Python SDK: run untrusted code in isolated VMs.

``Sandbox`` (blocking) and ``AsyncSandbox`` (asyncio) have the same methods::

    from aetherium import Sandbox

    with Sandbox.create() as sb:
        print(sb.commands.run("echo hello").stdout)

The gateway is ``AETHER_URL`` (default http://127.0.0.1:8080), its key ``AETHER_TOKEN`` or the one
``aether up`` saved; see docs/sdk-python.md.
"""

from ._api_types import CreatedPreview, Execution, FsEntry, Preview, Snapshot, Terminal, UploadResult, Vm
from ._api_types import ProcessListProcessesItem as ProcessInfo
from ._command_types import CommandResult, OutputChunk, PtyResult
from ._commands import AsyncCommandHandle, AsyncCommands
from ._config import ConnectionConfig
from ._files import AsyncFiles, AsyncFileStream, FileList
from ._ports import AsyncPorts
from ._pty import AsyncPty, AsyncPtyHandle
from ._sandbox import AsyncSandbox, PendingSandbox
from ._sync_commands import CommandHandle, Commands
from ._sync_files import Files, FileStream
from ._sync_pty import Ports, Pty, PtyHandle
from ._sync_sandbox import Sandbox
from ._version import __version__
from .errors import (
    AetherError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PermissionError,
    RateLimitError,
    ServerError,
    TimeoutError,
    TransferAbortedError,
    UnavailableError,
    UnprocessableError,
    UnsupportedError,
    ValidationError,
)

__all__ = [
    "AetherError",
    "AsyncCommandHandle",
    "AsyncCommands",
    "AsyncFileStream",
    "AsyncFiles",
    "AsyncPorts",
    "AsyncPty",
    "AsyncPtyHandle",
    "AsyncSandbox",
    "AuthenticationError",
    "CommandHandle",
    "Commands",
    "CommandResult",
    "ConflictError",
    "ConnectionConfig",
    "CreatedPreview",
    "Execution",
    "FileList",
    "FileStream",
    "Files",
    "FsEntry",
    "NotFoundError",
    "OutputChunk",
    "PendingSandbox",
    "PermissionDeniedError",
    "PermissionError",
    "Ports",
    "Preview",
    "ProcessInfo",
    "Pty",
    "PtyHandle",
    "PtyResult",
    "RateLimitError",
    "Sandbox",
    "ServerError",
    "Snapshot",
    "Terminal",
    "TimeoutError",
    "TransferAbortedError",
    "UnavailableError",
    "UnprocessableError",
    "UnsupportedError",
    "UploadResult",
    "ValidationError",
    "Vm",
    "__version__",
]
