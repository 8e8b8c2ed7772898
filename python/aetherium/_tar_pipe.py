"""Directory trees as tar streams, made and unpacked on a worker thread as the bytes flow.

`tarfile` is blocking; a thread runs it against a bounded queue of chunks, so a tree of any size
moves through memory one chunk at a time. Unpacking refuses what could escape the destination: an
absolute or ``..`` name, a link that points outside it, a write through a link, a device.
"""

from __future__ import annotations

import asyncio
import os
import queue
import shutil
import stat
import tarfile
import threading
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import IO, Final, cast

from .errors import error_of

_QUEUED_CHUNKS: Final = 8
_CHUNK_BYTES: Final = 256 * 1024
_POLL_S: Final = 0.1
_END: Final = b""


class _Stopped(Exception):
    """The other side of the pipe went away."""


class _Pipe:
    """A bounded queue of chunks between a thread and the event loop; either side may stop it."""

    def __init__(self) -> None:
        self.chunks: queue.Queue[bytes] = queue.Queue(maxsize=_QUEUED_CHUNKS)
        self.stopped = threading.Event()

    def put(self, chunk: bytes) -> None:
        while True:
            try:
                self.chunks.put(chunk, timeout=_POLL_S)
                return
            except queue.Full:
                if self.stopped.is_set():
                    raise _Stopped() from None

    def get(self) -> bytes:
        while True:
            try:
                return self.chunks.get(timeout=_POLL_S)
            except queue.Empty:
                if self.stopped.is_set():
                    raise _Stopped() from None


class _PipeWriter:
    """The file object `tarfile` writes into: each write becomes a chunk in the pipe."""

    def __init__(self, pipe: _Pipe) -> None:
        self._pipe = pipe

    def write(self, data: bytes) -> int:
        if data:
            self._pipe.put(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class _PipeReader:
    """The file object `tarfile` reads from: chunks from the pipe, then end of file."""

    def __init__(self, pipe: _Pipe) -> None:
        self._pipe = pipe
        self._buffer = bytearray()
        self._ended = False

    def read(self, size: int = -1) -> bytes:
        while not self._ended and (size < 0 or len(self._buffer) < size):
            chunk = self._pipe.get()
            if chunk == _END:
                self._ended = True
            else:
                self._buffer += chunk
        count = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        out = bytes(self._buffer[:count])
        del self._buffer[:count]
        return out


def _neutral_owner(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # The VM's files belong to its own user; the host's owner names mean nothing there.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


async def tar_of_directory(directory: Path) -> AsyncIterator[bytes]:
    """A tar stream of `directory`'s contents (names relative to it; symlinks kept as links)."""
    if not directory.is_dir():
        raise NotADirectoryError(str(directory))
    pipe = _Pipe()

    def write() -> None:
        try:
            with tarfile.open(
                fileobj=cast(IO[bytes], _PipeWriter(pipe)),
                mode="w|",
                format=tarfile.PAX_FORMAT,
                bufsize=_CHUNK_BYTES,
            ) as archive:
                for child in sorted(os.listdir(directory)):
                    archive.add(directory / child, arcname=child, recursive=True, filter=_neutral_owner)
        except _Stopped:
            return
        finally:
            # Also after a failure: the reader then finds the thread's error.
            try:
                pipe.put(_END)
            except _Stopped:
                pass

    loop = asyncio.get_running_loop()
    writer = loop.run_in_executor(None, write)
    try:
        while True:
            chunk = await loop.run_in_executor(None, pipe.get)
            if chunk == _END:
                await writer
                return
            yield chunk
    finally:
        pipe.stopped.set()
        await asyncio.gather(writer, return_exceptions=True)


async def extract_tar(chunks: AsyncIterable[bytes], destination: Path, top: str | None = None) -> None:
    """Unpacks a tar stream into `destination` (made if missing) as it arrives.

    `top`: the archive holds one directory of that name, whose contents go into `destination`.
    """
    destination.mkdir(parents=True, exist_ok=True)
    root = destination.resolve()
    pipe = _Pipe()

    def read() -> None:
        try:
            with tarfile.open(
                fileobj=cast(IO[bytes], _PipeReader(pipe)), mode="r|", bufsize=_CHUNK_BYTES
            ) as archive:
                for member in archive:
                    _extract_member(archive, member, root, top)
        finally:
            pipe.stopped.set()

    loop = asyncio.get_running_loop()
    reader = loop.run_in_executor(None, read)
    try:
        async for chunk in chunks:
            if pipe.stopped.is_set():
                break
            try:
                await loop.run_in_executor(None, pipe.put, chunk)
            except _Stopped:
                break
        if not pipe.stopped.is_set():
            try:
                await loop.run_in_executor(None, pipe.put, _END)
            except _Stopped:
                pass
        await reader
    finally:
        pipe.stopped.set()
        await asyncio.gather(reader, return_exceptions=True)


def _refuse(member: tarfile.TarInfo, why: str) -> Exception:
    return error_of("ERR_VALIDATION", f"refused to unpack {member.name!r}: {why}", 400)


def _inside(root: Path, path: Path) -> bool:
    return path == root or root in path.parents


def _extract_member(archive: tarfile.TarFile, member: tarfile.TarInfo, root: Path, top: str | None) -> None:
    name = member.name.rstrip("/")
    while name.startswith("./"):
        name = name[2:]
    if top is not None:
        if name == top:
            return
        if not name.startswith(top + "/"):
            raise _refuse(member, f"outside the directory {top!r} the archive is of")
        name = name[len(top) + 1 :]
    if not name or name == ".":
        return
    if os.path.isabs(name) or ".." in Path(name).parts:
        raise _refuse(member, "an absolute name or one with '..'")
    target = root / name
    parent = target.parent.resolve()
    if not _inside(root, parent):
        raise _refuse(member, "its directory leads outside the destination (through a link)")
    target = parent / target.name
    if member.isdir():
        if target.is_symlink():
            raise _refuse(member, "a directory over a link")
        target.mkdir(exist_ok=True)
        os.chmod(target, (member.mode & 0o777) | stat.S_IRWXU)
    elif member.isfile():
        if target.is_symlink() or target.is_dir():
            raise _refuse(member, "a file over a link or a directory")
        source = archive.extractfile(member)
        if source is None:
            raise _refuse(member, "no data")
        with source, open(target, "wb") as out:
            shutil.copyfileobj(source, out, _CHUNK_BYTES)
        os.chmod(target, member.mode & 0o777)
    elif member.issym():
        link = Path(member.linkname)
        if link.is_absolute() or not _inside(root, (parent / link).resolve()):
            raise _refuse(member, f"a link to {member.linkname!r}, outside the destination")
        if target.is_symlink() or target.exists():
            target.unlink()
        os.symlink(member.linkname, target)
    else:
        raise _refuse(member, "not a file, a directory or a link")
