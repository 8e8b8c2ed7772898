"""A TCP relay for tests: everything between the SDK and the gateway goes through it, and
`sever()` cuts every connection open at that moment, as a network failure would."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit


class TcpProxy:
    def __init__(self, target_url: str) -> None:
        parts = urlsplit(target_url)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._loop = asyncio.new_event_loop()
        self._writers: set[asyncio.StreamWriter] = set()
        self.connections = 0
        self.severed = 0
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._writers |= {client_writer, upstream_writer}

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))
        self._writers -= {client_writer, upstream_writer}

    def sever(self) -> None:
        """Resets every open connection (both sides); new ones are still accepted."""

        def cut() -> None:
            for writer in list(self._writers):
                writer.transport.abort()
                self.severed += 1
            self._writers.clear()

        self._loop.call_soon_threadsafe(cut)

    @contextmanager
    def running(self) -> Iterator[TcpProxy]:
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            server = self._loop.run_until_complete(asyncio.start_server(self._relay, "127.0.0.1", 0))
            self.port = server.sockets[0].getsockname()[1]
            started.set()
            self._loop.run_forever()
            server.close()
            self._loop.run_until_complete(server.wait_closed())

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        started.wait()
        try:
            yield self
        finally:
            self.sever()
            self._loop.call_soon_threadsafe(self._loop.stop)
            thread.join()
