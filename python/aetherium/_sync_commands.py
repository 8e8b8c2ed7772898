"""``Sandbox.commands``, blocking: the same calls as `AsyncCommands`, run on the sandbox's loop."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, overload

from ._api_types import ProcessListProcessesItem, SignalExecutionRequestSignal
from ._command_types import CommandResult, OutputChunk
from ._commands import AsyncCommandHandle, AsyncCommands, StdinSource
from ._sync_runner import CallbackRelay, LoopThread

OutputCallback = Callable[[str], Any]


class CommandHandle:
    """A command started with ``background=True``: ``for stream, data in handle``, `wait()`, `kill()`,
    `send_stdin()`, `close_stdin()`."""

    def __init__(
        self, inner: AsyncCommandHandle, runner: LoopThread, relays: list[CallbackRelay[str]]
    ) -> None:
        self._inner = inner
        self._runner = runner
        self._relays = relays

    @property
    def execution_id(self) -> str:
        return self._inner.execution_id

    @property
    def id(self) -> str:
        return self._inner.execution_id

    @property
    def stdout(self) -> str:
        """Standard output read so far."""
        return self._inner.stdout

    @property
    def stderr(self) -> str:
        return self._inner.stderr

    def wait(self) -> CommandResult:
        """Waits for the command to end; its result. Every callback has run by then."""
        try:
            return self._runner.run(self._inner.wait())
        finally:
            for callback_relay in self._relays:
                callback_relay.finish()

    def kill(self, signal: SignalExecutionRequestSignal = "SIGKILL") -> bool:
        """Signals the command's process tree; False when it had already ended."""
        return self._runner.run(self._inner.kill(signal))

    def send_stdin(self, data: str | bytes) -> None:
        self._runner.run(self._inner.send_stdin(data))

    def close_stdin(self) -> None:
        self._runner.run(self._inner.close_stdin())

    def __iter__(self) -> Iterator[OutputChunk]:
        return self._runner.iterate(self._inner.__aiter__())


class Commands:
    """Commands of one VM."""

    def __init__(self, inner: AsyncCommands, runner: LoopThread) -> None:
        self._inner = inner
        self._runner = runner

    @overload
    def run(
        self,
        cmd: str | Sequence[str],
        *,
        on_stdout: OutputCallback | None = ...,
        on_stderr: OutputCallback | None = ...,
        cwd: str | None = ...,
        env: Mapping[str, str] | None = ...,
        timeout: float | None = ...,
        background: Literal[False] = ...,
        stdin: StdinSource = ...,
    ) -> CommandResult:
        ...

    @overload
    def run(
        self,
        cmd: str | Sequence[str],
        *,
        on_stdout: OutputCallback | None = ...,
        on_stderr: OutputCallback | None = ...,
        cwd: str | None = ...,
        env: Mapping[str, str] | None = ...,
        timeout: float | None = ...,
        background: Literal[True],
        stdin: StdinSource = ...,
    ) -> CommandHandle:
        ...

    def run(
        self,
        cmd: str | Sequence[str],
        *,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        background: bool = False,
        stdin: StdinSource = None,
    ) -> CommandResult | CommandHandle:
        """Runs `cmd` in the VM: a string under ``sh -c``, a list as argv (see `AsyncCommands.run`).

        Callbacks run on a thread of their own, in order; all have run when this (or the handle's
        `wait()`) returns.
        """
        out, err = self._runner.relay(on_stdout), self._runner.relay(on_stderr)
        relays = [r for r in (out, err) if r is not None]
        if background:
            inner = self._runner.run(
                self._inner.run(
                    cmd,
                    on_stdout=out,
                    on_stderr=err,
                    cwd=cwd,
                    env=env,
                    timeout=timeout,
                    stdin=stdin,
                    background=True,
                )
            )
            return CommandHandle(inner, self._runner, relays)
        try:
            return self._runner.run(
                self._inner.run(
                    cmd, on_stdout=out, on_stderr=err, cwd=cwd, env=env, timeout=timeout, stdin=stdin
                )
            )
        finally:
            for callback_relay in relays:
                callback_relay.finish()

    def connect(
        self,
        execution_id: str,
        *,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
    ) -> CommandHandle:
        """A handle to a command already started, by its execution id."""
        out, err = self._runner.relay(on_stdout), self._runner.relay(on_stderr)
        inner = self._runner.run(self._inner.connect(execution_id, on_stdout=out, on_stderr=err))
        return CommandHandle(inner, self._runner, [r for r in (out, err) if r is not None])

    def list(self) -> list[ProcessListProcessesItem]:
        """The VM's commands running now, with their pids in the VM."""
        return self._runner.run(self._inner.list())
