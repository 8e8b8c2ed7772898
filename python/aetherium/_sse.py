"""Server-Sent Events: lines of a ``text/event-stream`` body as events (the WHATWG rules we need)."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True)
class SseEvent:
    event: str
    data: str
    id: str | None


async def sse_events(lines: AsyncIterable[str]) -> AsyncIterator[SseEvent]:
    """Each event once its blank line arrives; comments (``: keep-alive``) and ``retry:`` are skipped."""
    event: str | None = None
    data: list[str] = []
    event_id: str | None = None
    async for raw in lines:
        line = raw.rstrip("\r\n")
        if line == "":
            if data:
                yield SseEvent(event or "message", "\n".join(data), event_id)
            event, data, event_id = None, [], None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id":
            event_id = value
