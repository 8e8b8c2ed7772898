"""``Sandbox.pty`` and ``Sandbox.ports``, blocking: the same calls as their async classes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._api_types import CreatedPreview, Preview, Terminal
from ._command_types import PtyResult
from ._durations import Duration
from ._ports import AsyncPorts
from ._pty import AsyncPty, AsyncPtyHandle
from ._sync_runner import CallbackRelay, LoopThread

DataCallback = Callable[[bytes], Any]


class PtyHandle:
    """An attached terminal: `send_input`, `resize`, `wait`, `kill`, `disconnect`."""

    def __init__(
        self, inner: AsyncPtyHandle, runner: LoopThread, on_data: CallbackRelay[bytes] | None
    ) -> None:
        self._inner = inner
        self._runner = runner
        self._on_data = on_data

    @property
    def id(self) -> str:
        return self._inner.id

    @property
    def info(self) -> Terminal:
        return self._inner.info

    def send_input(self, data: str | bytes) -> None:
        self._runner.run(self._inner.send_input(data))

    def resize(self, cols: int, rows: int) -> None:
        self._runner.run(self._inner.resize(cols, rows))

    def wait(self) -> PtyResult:
        """Waits for the terminal's command to end; `on_data` has had all its output by then."""
        try:
            return self._runner.run(self._inner.wait())
        finally:
            if self._on_data is not None:
                self._on_data.finish()

    def kill(self) -> None:
        self._runner.run(self._inner.kill())

    def disconnect(self) -> None:
        self._runner.run(self._inner.disconnect())


class Pty:
    """Terminals of one VM (see `AsyncPty`)."""

    def __init__(self, inner: AsyncPty, runner: LoopThread) -> None:
        self._inner = inner
        self._runner = runner

    def create(
        self,
        *,
        cols: int = 80,
        rows: int = 24,
        on_data: DataCallback | None = None,
        command: Sequence[str] | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> PtyHandle:
        """Starts `command` (default a login shell) on a terminal and attaches; `on_data` gets its
        output on a thread of its own."""
        data = self._runner.relay(on_data)
        inner = self._runner.run(
            self._inner.create(cols=cols, rows=rows, on_data=data, command=command, cwd=cwd, env=env)
        )
        return PtyHandle(inner, self._runner, data)

    def connect(self, terminal_id: str, *, on_data: DataCallback | None = None) -> PtyHandle:
        data = self._runner.relay(on_data)
        return PtyHandle(self._runner.run(self._inner.connect(terminal_id, on_data=data)), self._runner, data)

    def list(self) -> list[Terminal]:
        return self._runner.run(self._inner.list())


class Ports:
    """Ports of one VM (see `AsyncPorts`)."""

    def __init__(self, inner: AsyncPorts, runner: LoopThread) -> None:
        self._inner = inner
        self._runner = runner

    def url(self, port: int, *, expires_in: Duration | None = None) -> str:
        """A preview URL of `port` inside the VM, usable without an API key until it expires."""
        return self._runner.run(self._inner.url(port, expires_in=expires_in))

    def preview(self, port: int, *, expires_in: Duration | None = None) -> CreatedPreview:
        return self._runner.run(self._inner.preview(port, expires_in=expires_in))

    def previews(self) -> list[Preview]:
        return self._runner.run(self._inner.previews())

    def revoke(self, preview_id: str) -> None:
        self._runner.run(self._inner.revoke(preview_id))
