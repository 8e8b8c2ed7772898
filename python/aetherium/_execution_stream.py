"""``GET /api/v1/executions/{id}/stream`` as Server-Sent Events: an execution's output as it happens.

`open_execution_stream` is one connection. `follow_execution` connects again after the last
chunk it saw (``after_seq``) whenever a connection drops or the gateway closes it, so its caller
gets every chunk once, in order, then the end.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Final, cast

import httpx

from ._api_types import ExecutionStreamMessage
from ._connection import CONNECT_TIMEOUT_S, Connection
from ._sse import sse_events
from .errors import AetherError, error_of

#: The gateway sends a keep-alive every 15 s: this long without a byte means the connection is dead.
STREAM_IDLE_TIMEOUT_S: Final = 45.0
#: A connection that lasted this long worked: the next failure starts a fresh reconnect budget.
_HEALTHY_CONNECTION_S: Final = 1.0
_MESSAGE_TYPES: Final = frozenset({"chunk", "exit", "error"})


async def open_execution_stream(
    connection: Connection, execution_id: str, after_seq: int = 0
) -> AsyncIterator[ExecutionStreamMessage]:
    """One connection: its messages in order, ending after the ``exit`` or ``error``.

    Raises the gateway's error (404 for an unknown id...), and ERR_STREAM_CLOSED when the
    connection ends before the stream does.
    """
    async with connection.open(
        "streamExecution",
        params={"id": execution_id},
        query={"after_seq": after_seq or None},
        headers={"accept": "text/event-stream"},
        timeout=httpx.Timeout(STREAM_IDLE_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
    ) as response:
        try:
            async for event in sse_events(response.aiter_lines()):
                message = _parse(event.data)
                yield message
                if message["type"] != "chunk":
                    return
        except httpx.HTTPError as error:
            raise error_of(
                "ERR_STREAM_CLOSED", f"the execution stream broke off ({type(error).__name__}: {error})"
            ) from error
    raise error_of("ERR_STREAM_CLOSED", "the execution stream ended without an exit")


def _parse(data: str) -> ExecutionStreamMessage:
    try:
        message = json.loads(data)
    except ValueError:
        message = None
    if not isinstance(message, dict) or message.get("type") not in _MESSAGE_TYPES:
        raise error_of(
            "ERR_STREAM_PROTOCOL", f"the gateway sent a message this SDK does not know: {data[:200]}"
        )
    return cast(ExecutionStreamMessage, message)


def _is_transient(error: AetherError) -> bool:
    """Worth another connection: dropped, unreachable, or the gateway busy or closing."""
    if error.code == "ERR_STREAM_PROTOCOL":
        return False
    return error.status in (0, 502, 503, 504)


async def follow_execution(
    connection: Connection,
    execution_id: str,
    *,
    after_seq: int = 0,
    reconnect_for_s: float = 30.0,
) -> AsyncIterator[ExecutionStreamMessage]:
    """Like `open_execution_stream`, reconnecting after the last chunk seen.

    A dropped connection, an unreachable or closing gateway, or a retryable stream error is
    answered by a new connection with ``after_seq`` (backing off up to 2 s), for up to
    `reconnect_for_s` of failing in a row. Chunks are yielded once each, in order.
    """
    failing_since: float | None = None
    attempt = 0
    while True:
        connected_at = time.monotonic()
        progressed = False
        try:
            async for message in open_execution_stream(connection, execution_id, after_seq):
                progressed = True
                if message["type"] == "chunk":
                    if message["seq"] <= after_seq:
                        continue
                    after_seq = message["seq"]
                    yield message
                    continue
                if message["type"] == "error" and message["scope"] == "stream" and message["retryable"]:
                    raise error_of(message["code"], message["message"], 0, True)
                yield message
                return
            cause: AetherError = error_of("ERR_STREAM_CLOSED", "the execution stream ended without an exit")
        except AetherError as error:
            if not _is_transient(error):
                raise
            cause = error
        now = time.monotonic()
        if progressed or now - connected_at >= _HEALTHY_CONNECTION_S:
            failing_since = now
            attempt = 0
        if failing_since is None:
            failing_since = now
        if now - failing_since > reconnect_for_s:
            raise cause
        attempt += 1
        await asyncio.sleep(min(0.1 * 2 ** (attempt - 1), 2.0))
