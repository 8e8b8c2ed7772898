"""A running command's stdin: one ``PUT /executions/{id}/stdin`` whose body is what is sent, as it is sent.

The command reads what arrives; its stdin closes when the body ends. A bounded queue between the
caller and the request keeps a fast sender waiting for a slow reader rather than piling bytes up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any, Final

from ._connection import RAW_MEDIA_TYPE, Connection
from .errors import error_of

_QUEUED_CHUNKS: Final = 8


class StdinFeed:
    """Feeds one execution's stdin, from `source` when given, else from `send()` until `close()`."""

    def __init__(self, connection: Connection, execution_id: str, source: AsyncIterable[bytes] | None = None):
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=_QUEUED_CHUNKS)
        self._closed = source is not None
        body = source if source is not None else self._from_queue()
        self._request: asyncio.Task[Any] = asyncio.create_task(
            connection.send_stream(
                "feedStdin", body, content_type=RAW_MEDIA_TYPE, params={"id": execution_id}
            )
        )

    async def _from_queue(self) -> AsyncIterator[bytes]:
        while True:
            part = await self._queue.get()
            if part is None:
                return
            yield part

    async def _put(self, item: bytes | None) -> None:
        """Queues `item`, unless the request ended first (then its error, or ERR_EXECUTION_NOT_RUNNING)."""
        put = asyncio.ensure_future(self._queue.put(item))
        done, _ = await asyncio.wait({put, self._request}, return_when=asyncio.FIRST_COMPLETED)
        if put in done:
            return
        put.cancel()
        self._request.result()
        raise error_of(
            "ERR_EXECUTION_NOT_RUNNING", "the command's stdin is closed: it took no more input", 409
        )

    async def send(self, data: bytes) -> None:
        if self._closed:
            raise ValueError("stdin was closed, or is fed from the source given to run()")
        if data:
            await self._put(data)

    async def close(self) -> int:
        """Closes stdin (the command sees end of file); answers how many bytes it took."""
        if not self._closed:
            self._closed = True
            await self._put(None)
        result = await asyncio.shield(self._request)
        return int(result.get("bytes", 0)) if isinstance(result, dict) else 0

    async def finished(self) -> BaseException | None:
        """Waits for the request to end; its error, if any, rather than raising it."""
        try:
            await asyncio.shield(self._request)
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # noqa: BLE001 - handed to the caller to judge
            return error
        return None

    def cancel(self) -> None:
        self._request.cancel()
