"""``Sandbox.files``, blocking: the same calls as `AsyncFiles`, run on the sandbox's loop."""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import TracebackType
from typing import Literal, overload

from ._api_types import FsEntry, UploadResult
from ._byte_sources import ByteSource
from ._files import AsyncFiles, AsyncFileStream, FileList
from ._sync_runner import LoopThread


class FileStream:
    """A file being read from the VM: ``for chunk in stream``, once; use ``with`` to stop early."""

    def __init__(self, inner: AsyncFileStream, runner: LoopThread) -> None:
        self._inner = inner
        self._runner = runner
        self.entry: FsEntry = inner.entry
        self.size: int | None = inner.size

    def __iter__(self) -> Iterator[bytes]:
        return self._runner.iterate(self._inner.__aiter__())

    def close(self) -> None:
        self._runner.run(self._inner.aclose())

    def __enter__(self) -> FileStream:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class Files:
    """Files of one VM (see `AsyncFiles` for each call's details)."""

    def __init__(self, inner: AsyncFiles, runner: LoopThread) -> None:
        self._inner = inner
        self._runner = runner

    @overload
    def read(self, path: str, format: Literal["text"] = ...) -> str:
        ...

    @overload
    def read(self, path: str, format: Literal["bytes"]) -> bytes:
        ...

    @overload
    def read(self, path: str, format: Literal["stream"]) -> FileStream:
        ...

    def read(
        self, path: str, format: Literal["text", "bytes", "stream"] = "text"
    ) -> str | bytes | FileStream:
        """A file's content as text, bytes, or a stream read chunk by chunk."""
        if format == "stream":
            return FileStream(self._runner.run(self._inner.read(path, "stream")), self._runner)
        if format == "bytes":
            return self._runner.run(self._inner.read(path, "bytes"))
        if format == "text":
            return self._runner.run(self._inner.read(path, "text"))
        raise ValueError(f"format: 'text', 'bytes' or 'stream', not {format!r}")

    def write(self, path: str, data: ByteSource, *, mode: int | None = None) -> UploadResult:
        """Writes a file from text, bytes, a binary file object or an iterator of bytes, streamed."""
        return self._runner.run(self._inner.write(path, data, mode=mode))

    def list(self, path: str = ".", *, recursive: bool = False) -> FileList:
        return self._runner.run(self._inner.list(path, recursive=recursive))

    def stat(self, path: str) -> FsEntry:
        return self._runner.run(self._inner.stat(path))

    def exists(self, path: str) -> bool:
        return self._runner.run(self._inner.exists(path))

    def remove(self, path: str, *, recursive: bool = False) -> None:
        self._runner.run(self._inner.remove(path, recursive=recursive))

    def mkdir(self, path: str, *, parents: bool = False) -> None:
        self._runner.run(self._inner.mkdir(path, parents=parents))

    def rename(self, source: str, destination: str) -> None:
        self._runner.run(self._inner.rename(source, destination))

    def upload(self, local_path: str | os.PathLike[str], remote_path: str) -> UploadResult:
        """Copies a local file, or a directory's contents, into the VM, streamed."""
        return self._runner.run(self._inner.upload(local_path, remote_path))

    def download(self, remote_path: str, local_path: str | os.PathLike[str]) -> FsEntry:
        """Copies a file, or a directory's contents, out of the VM, streamed."""
        return self._runner.run(self._inner.download(remote_path, local_path))
