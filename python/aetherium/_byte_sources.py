"""What the SDK accepts as bytes to send — text, bytes, a file object, an iterator — as one async stream.

Nothing is read ahead of what the connection takes: a file or an iterator is pulled one chunk at
a time, so an upload of any size holds one chunk in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import IO, Final, Protocol, cast, runtime_checkable

CHUNK_BYTES: Final = 256 * 1024


@runtime_checkable
class Readable(Protocol):
    """A file object opened for reading (binary; a text one is encoded as UTF-8)."""

    def read(self, size: int = -1, /) -> bytes | str:
        ...


ByteSource = (
    str
    | bytes
    | bytearray
    | memoryview
    | IO[bytes]
    | IO[str]
    | Readable
    | Iterable[bytes]
    | AsyncIterable[bytes]
)


def _as_bytes(part: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(part, str):
        return part.encode("utf-8")
    if isinstance(part, (bytes, bytearray, memoryview)):
        return bytes(part)
    raise TypeError(f"expected bytes or str chunks, got {type(part).__name__}")


async def byte_chunks(source: ByteSource, chunk_bytes: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
    """`source` as chunks of bytes, pulled one at a time."""
    if isinstance(source, (str, bytes, bytearray, memoryview)):
        whole = memoryview(_as_bytes(source))
        for start in range(0, len(whole), chunk_bytes):
            yield bytes(whole[start : start + chunk_bytes])
        return
    if isinstance(source, Readable):
        while True:
            part = source.read(chunk_bytes)
            if not part:
                return
            yield _as_bytes(part)
    elif isinstance(source, AsyncIterable):
        async for piece in source:
            if piece:
                yield _as_bytes(piece)
    elif isinstance(source, Iterable):
        for item in source:
            if item:
                yield _as_bytes(cast(bytes | str, item))
    else:
        raise TypeError(
            f"cannot send a {type(source).__name__}: "
            "give str, bytes, a binary file object or an iterator of bytes"
        )
