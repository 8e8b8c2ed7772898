"""``sandbox.files``: files and directories in the VM, streamed both ways.

Bytes never sit whole in memory, here or in the gateway: an upload is read from its source as the
connection takes it, a download handed on as it arrives. Paths are the VM's: absolute, or relative
to its home.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Literal, cast, overload

import httpx

from ._api_types import FsEntry, UploadResult
from ._byte_sources import ByteSource, byte_chunks
from ._connection import (
    CONNECT_TIMEOUT_S,
    FILE_ENTRY_HEADER,
    RAW_MEDIA_TYPE,
    TAR_MEDIA_TYPE,
    Connection,
)
from ._tar_pipe import extract_tar, tar_of_directory
from .errors import NotFoundError, error_of

#: A download that brings no byte for this long has stalled.
_READ_IDLE_TIMEOUT_S = 300.0


class FileList(list[FsEntry]):
    """A directory's entries; `truncated` when the VM's agent cut a very long listing short."""

    def __init__(self, entries: list[FsEntry], truncated: bool) -> None:
        super().__init__(entries)
        self.truncated = truncated


class _Once:
    """An async context exited at most once (a stream closed by its end and by its reader)."""

    def __init__(self, context: AbstractAsyncContextManager[Any]) -> None:
        self._context = context
        self._done = False

    async def close(self) -> None:
        if not self._done:
            self._done = True
            await self._context.__aexit__(None, None, None)


class AsyncFileStream:
    """A file being read from the VM: ``async for chunk in stream``, once; closes at its end.

    Use ``async with`` (or `aclose`) when you may stop before the end, to free the connection.
    """

    def __init__(self, response: httpx.Response, entry: FsEntry, closer: _Once) -> None:
        self._response = response
        self._closer = closer
        self.entry = entry
        #: Bytes to come, when the gateway said (a single file).
        self.size: int | None = _content_length(response)
        self._received = 0

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                self._received += len(chunk)
                yield chunk
        except httpx.HTTPError as error:
            raise error_of(
                "ERR_TRANSFER_ABORTED", f"the download was cut after {self._received} bytes ({error})"
            ) from error
        finally:
            await self.aclose()
        if self.size is not None and self._received != self.size:
            raise error_of(
                "ERR_TRANSFER_ABORTED", f"the download was cut after {self._received} of {self.size} bytes"
            )

    async def aclose(self) -> None:
        await self._closer.close()

    async def __aenter__(self) -> AsyncFileStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _content_length(response: httpx.Response) -> int | None:
    if response.headers.get("content-type", "").startswith(TAR_MEDIA_TYPE):
        return None
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None


def _entry_of(response: httpx.Response) -> FsEntry:
    try:
        entry = json.loads(response.headers.get(FILE_ENTRY_HEADER, ""))
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            return cast(FsEntry, entry)
    except ValueError:
        pass
    raise error_of("ERR_HTTP", f"the download's answer has no usable {FILE_ENTRY_HEADER} header")


class AsyncFiles:
    """Files of one VM."""

    def __init__(self, connection: Connection, vm_id: str) -> None:
        self._connection = connection
        self._vm_id = vm_id

    async def _open(self, path: str, tar: bool = False) -> AsyncFileStream:
        context = self._connection.open(
            "downloadFile",
            params={"id": self._vm_id},
            query={"path": path, "format": "tar" if tar else None},
            timeout=httpx.Timeout(_READ_IDLE_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        )
        response = await context.__aenter__()
        closer = _Once(context)
        try:
            return AsyncFileStream(response, _entry_of(response), closer)
        except BaseException:
            await closer.close()
            raise

    @overload
    async def read(self, path: str, format: Literal["text"] = ...) -> str:
        ...

    @overload
    async def read(self, path: str, format: Literal["bytes"]) -> bytes:
        ...

    @overload
    async def read(self, path: str, format: Literal["stream"]) -> AsyncFileStream:
        ...

    async def read(
        self, path: str, format: Literal["text", "bytes", "stream"] = "text"
    ) -> str | bytes | AsyncFileStream:
        """A file's content: as text (UTF-8), as bytes, or as a stream to read chunk by chunk.

        ``text`` and ``bytes`` hold the whole file in memory; use ``stream`` (or `download`) for
        large ones. A directory is refused (use `download`).
        """
        if format not in ("text", "bytes", "stream"):
            raise ValueError(f"format: 'text', 'bytes' or 'stream', not {format!r}")
        stream = await self._open(path)
        if stream.entry["type"] == "directory":
            await stream.aclose()
            raise error_of("ERR_IS_A_DIRECTORY", f"{path} is a directory: download() it instead", 400)
        if format == "stream":
            return stream
        data = b"".join([chunk async for chunk in stream])
        return data.decode("utf-8") if format == "text" else data

    async def write(self, path: str, data: ByteSource, *, mode: int | None = None) -> UploadResult:
        """Writes a file (its parent directories made): text, bytes, a binary file object or an
        iterator of bytes (sync or async), streamed. The old file stays until every byte is there.
        `mode`: permission bits such as ``0o755`` (default 0o644)."""
        query: dict[str, Any] = {"path": path}
        if mode is not None:
            query["mode"] = format(mode & 0o7777, "03o")
        answer = await self._connection.send_stream(
            "uploadFile",
            byte_chunks(data),
            content_type=RAW_MEDIA_TYPE,
            params={"id": self._vm_id},
            query=query,
        )
        return cast(UploadResult, answer)

    async def list(self, path: str = ".", *, recursive: bool = False) -> FileList:
        """A directory's entries (with `recursive`, every entry below it, named relative to it)."""
        answer = await self._connection.call(
            "listFiles", params={"id": self._vm_id}, query={"path": path, "recursive": recursive}
        )
        return FileList(list(answer["entries"]), bool(answer.get("truncated")))

    async def stat(self, path: str) -> FsEntry:
        """One path (a symlink described as itself); `NotFoundError` when absent."""
        return cast(
            FsEntry, await self._connection.call("statFile", params={"id": self._vm_id}, query={"path": path})
        )

    async def exists(self, path: str) -> bool:
        try:
            await self.stat(path)
        except NotFoundError as error:
            if error.code == "ERR_FILE_NOT_FOUND":
                return False
            raise
        return True

    async def remove(self, path: str, *, recursive: bool = False) -> None:
        """Removes a file, a link (not its target) or a directory; a non-empty one needs `recursive`."""
        await self._connection.call(
            "deleteFile", params={"id": self._vm_id}, query={"path": path, "recursive": recursive}
        )

    async def mkdir(self, path: str, *, parents: bool = False) -> None:
        """Makes a directory; with `parents`, missing parents too, and an existing one is fine."""
        await self._connection.call(
            "makeDirectory", params={"id": self._vm_id}, json={"path": path, "parents": parents}
        )

    async def rename(self, source: str, destination: str) -> None:
        """Moves or renames a path inside the VM."""
        await self._connection.call(
            "moveFile", params={"id": self._vm_id}, json={"from": source, "to": destination}
        )

    async def upload(self, local_path: str | os.PathLike[str], remote_path: str) -> UploadResult:
        """Copies a local file to `remote_path`, or a local directory's contents into the directory
        `remote_path` (made if missing), streamed as it is read."""
        local = Path(local_path)
        if local.is_dir():
            return cast(
                UploadResult,
                await self._connection.send_stream(
                    "uploadFile",
                    tar_of_directory(local),
                    content_type=TAR_MEDIA_TYPE,
                    params={"id": self._vm_id},
                    query={"path": remote_path},
                ),
            )
        with open(local, "rb") as source:
            return await self.write(remote_path, source, mode=os.stat(local).st_mode & 0o777)

    async def download(self, remote_path: str, local_path: str | os.PathLike[str]) -> FsEntry:
        """Copies a file of the VM to the local file `local_path` (or into it, when it is a directory),
        or a directory's contents into the local directory `local_path` (made if missing), as the
        bytes arrive; returns what it was.

        A file is written beside its destination and renamed over it when whole, so a cut download
        leaves the old file, or none.
        """
        local = Path(local_path)
        stream = await self._open(remote_path)
        async with stream:
            if stream.entry["type"] == "directory":
                await extract_tar(stream, local, top=stream.entry["name"])
                return stream.entry
            if local.is_dir():
                local = local / stream.entry["name"]
            partial = local.with_name(f".{local.name}.{os.getpid()}.part")
            try:
                with open(partial, "wb") as out:
                    async for chunk in stream:
                        out.write(chunk)
                os.chmod(partial, stream.entry["mode"] & 0o777)
                os.replace(partial, local)
            finally:
                if partial.exists():
                    partial.unlink()
        return stream.entry
