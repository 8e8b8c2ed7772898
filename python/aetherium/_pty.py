"""``sandbox.pty``: commands on a pseudo-terminal in the VM (a shell, an editor, a REPL).

A terminal session runs in the VM whether or not anyone is attached. Attaching is a WebSocket
(``GET /vms/{id}/terminals/{terminal_id}/attach``): binary frames carry bytes both ways (the
session's recent output is replayed first), text frames JSON — the server's last is its exit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, cast

import websockets.exceptions
from websockets.legacy.client import WebSocketClientProtocol, connect

from ._api_types import Terminal
from ._command_types import PtyResult
from ._commands import call_back
from ._connection import Connection
from .errors import AetherError, error_of

#: Largest frame the gateway takes from a client: longer input is cut into frames this size.
FRAME_BYTES: Final = 64 * 1024

#: Called with each piece of the terminal's output (bytes, as the program wrote them).
DataCallback = Callable[[bytes], Any]


class AsyncPtyHandle:
    """An attached terminal: type into it, resize it, wait for its command, kill it."""

    def __init__(
        self,
        connection: Connection,
        vm_id: str,
        info: Terminal,
        socket: WebSocketClientProtocol,
        on_data: DataCallback | None,
    ) -> None:
        self._connection = connection
        self._vm_id = vm_id
        self.info = info
        self._socket = socket
        self._on_data = on_data
        self._exit: asyncio.Future[PtyResult] = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())

    @property
    def id(self) -> str:
        """The terminal session's id."""
        return self.info["id"]

    async def _read(self) -> None:
        try:
            async for message in self._socket:
                if isinstance(message, bytes):
                    await call_back(self._on_data, message)
                    continue
                control = json.loads(message)
                if isinstance(control, dict) and control.get("type") == "exit":
                    self._settle(PtyResult(control.get("exit_code"), control.get("signal")))
        except websockets.exceptions.ConnectionClosed:
            pass
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a callback's own error, or a frame that is not ours: wait() raises it
            self._settle(error)
        finally:
            self._settle(
                error_of("ERR_STREAM_CLOSED", "the terminal's connection closed before its command ended")
            )

    def _settle(self, outcome: PtyResult | BaseException) -> None:
        if self._exit.done():
            return
        if isinstance(outcome, PtyResult):
            self._exit.set_result(outcome)
        else:
            self._exit.set_exception(outcome)
            self._exit.exception()  # retrieved: nobody may be waiting

    async def send_input(self, data: str | bytes) -> None:
        """Types `data` into the terminal (text as UTF-8; ``"\\x03"`` is Ctrl-C)."""
        payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        try:
            for start in range(0, len(payload), FRAME_BYTES):
                await self._socket.send(payload[start : start + FRAME_BYTES])
        except websockets.exceptions.ConnectionClosed as error:
            raise error_of("ERR_STREAM_CLOSED", "the terminal's connection is closed") from error

    async def resize(self, cols: int, rows: int) -> None:
        """Resizes the terminal; its command gets SIGWINCH moments after this returns."""
        await self._connection.call(
            "resizeTerminal",
            params={"id": self._vm_id, "terminal_id": self.id},
            json={"cols": cols, "rows": rows},
        )

    async def wait(self) -> PtyResult:
        """Waits for the terminal's command to end."""
        return await asyncio.shield(self._exit)

    async def kill(self) -> None:
        """Hangs the terminal up: its command gets SIGHUP (SIGKILL 5 s later)."""
        try:
            await self._connection.call("closeTerminal", params={"id": self._vm_id, "terminal_id": self.id})
        except AetherError as error:
            if error.code != "ERR_TERMINAL_NOT_FOUND":
                raise

    async def disconnect(self) -> None:
        """Detaches, leaving the command running: `AsyncPty.connect` attaches again."""
        await self._socket.close()
        await asyncio.gather(self._reader, return_exceptions=True)


class AsyncPty:
    """Terminals of one VM."""

    def __init__(self, connection: Connection, vm_id: str) -> None:
        self._connection = connection
        self._vm_id = vm_id
        self._handles: list[AsyncPtyHandle] = []

    async def create(
        self,
        *,
        cols: int = 80,
        rows: int = 24,
        on_data: DataCallback | None = None,
        command: Sequence[str] | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> AsyncPtyHandle:
        """Starts `command` (argv; default a login shell) on a `cols` × `rows` terminal and attaches.

        `on_data` gets its output as it comes (a coroutine function is awaited, which holds the
        terminal's output back meanwhile).
        """
        body: dict[str, Any] = {"cols": cols, "rows": rows}
        if command is not None:
            body["command"] = list(command)
        if cwd is not None:
            body["cwd"] = cwd
        if env:
            body["env"] = dict(env)
        info = cast(
            Terminal, await self._connection.call("openTerminal", params={"id": self._vm_id}, json=body)
        )
        try:
            return await self.connect(info["id"], on_data=on_data, info=info)
        except BaseException:
            await self._connection.call(
                "closeTerminal", params={"id": self._vm_id, "terminal_id": info["id"]}
            )
            raise

    async def connect(
        self, terminal_id: str, *, on_data: DataCallback | None = None, info: Terminal | None = None
    ) -> AsyncPtyHandle:
        """Attaches to a running terminal session (its recent output is replayed to `on_data` first)."""
        params = {"id": self._vm_id, "terminal_id": terminal_id}
        if info is None:
            info = cast(Terminal, await self._connection.call("getTerminal", params=params))
        url = self._connection.url("attachTerminal", params)
        url = "ws" + url[len("http") :]
        try:
            socket = await connect(
                url,
                extra_headers=self._connection.auth_headers,
                max_size=None,
                compression=None,
                open_timeout=30,
            )
        except websockets.exceptions.InvalidStatusCode as error:
            # The refusal's body is not readable here: the same question over REST says why.
            await self._connection.call("getTerminal", params=params)
            status = error.status_code
            raise error_of("ERR_HTTP", f"the terminal refused the attach (HTTP {status})", status) from error
        except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as error:
            raise self._connection.unreachable(error) from error
        handle = AsyncPtyHandle(self._connection, self._vm_id, info, socket, on_data)
        self._handles.append(handle)
        return handle

    async def list(self) -> list[Terminal]:
        """The VM's terminal sessions, running and lately ended."""
        answer = await self._connection.call("listTerminals", params={"id": self._vm_id})
        return list(answer["terminals"])

    async def aclose(self) -> None:
        """Detaches every handle (their commands run on until the detach grace ends)."""
        handles, self._handles = self._handles, []
        await asyncio.gather(*(handle.disconnect() for handle in handles), return_exceptions=True)
