"""``sandbox.commands``: run commands in the VM, in the foreground or as handles to running ones."""

from __future__ import annotations

import asyncio
import base64
import codecs
import inspect
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, Final, Literal, cast, overload

import httpx

from ._api_types import (
    ExecuteCommandRequest,
    ExecuteDone,
    Execution,
    ExecutionStreamMessage,
    ProcessListProcessesItem,
    SignalExecutionRequestSignal,
)
from ._byte_sources import ByteSource, byte_chunks
from ._command_types import CommandResult, OutputChunk, Stream
from ._connection import CONNECT_TIMEOUT_S, Connection
from ._execution_stream import follow_execution
from ._stdin_feed import StdinFeed
from .errors import AetherError, ConflictError, error_of

#: How long a finished command's stdin request may take to end before it is cut.
_STDIN_GRACE_S = 5.0
#: How long the gateway holds a foreground command's request (``wait_timeout_ms``) before it
#: answers ERR_WAIT_TIMEOUT and the command is followed on its stream instead. Well under the
#: minute after which many proxies cut a silent connection; a command that runs longer pays one
#: extra request, small beside its own time.
RUN_WAIT_S = 30.0
#: What the gateway may take beyond its wait to answer; past it the connection is taken for dead.
_ANSWER_MARGIN_S: Final = 30.0
#: Called with each piece of output; may be a coroutine function.
OutputCallback = Callable[[str], Any]
#: ``True`` keeps stdin open for `send_stdin`; text, bytes, a file or an iterator is streamed in.
StdinSource = ByteSource | bool | None


async def call_back(callback: Callable[[Any], Any] | None, value: Any) -> None:
    """Calls a user's callback, awaiting it when it is a coroutine function."""
    if callback is None:
        return
    outcome = callback(value)
    if inspect.isawaitable(outcome):
        await outcome


def result_of(execution: Execution) -> CommandResult:
    """The result the gateway's record of an ended execution describes."""
    return CommandResult(
        exit_code=execution["exit_code"],
        stdout=execution["stdout"],
        stderr=execution["stderr"],
        execution_id=execution["id"],
        outcome=execution["outcome"],
        signal=execution.get("signal"),
        execution=execution,
    )


def command_body(
    cmd: str | Sequence[str],
    *,
    cwd: str | None,
    env: Mapping[str, str] | None,
    timeout: float | None,
    stdin: StdinSource,
) -> ExecuteCommandRequest:
    """The execute request: a string runs under ``sh -c``, a sequence is argv (no shell)."""
    if isinstance(cmd, str):
        body: ExecuteCommandRequest = {"command": "sh", "args": ["-c", cmd]}
    else:
        argv = list(cmd)
        if not argv or not all(isinstance(arg, str) for arg in argv):
            raise ValueError("cmd: give a shell command string, or a non-empty list of strings (argv)")
        body = {"command": argv[0], "args": argv[1:]}
    if cwd is not None:
        body["cwd"] = cwd
    if env:
        body["env"] = dict(env)
    if timeout is not None:
        if timeout < 0:
            raise ValueError("timeout: seconds, 0 for no limit of its own")
        body["timeout_ms"] = int(timeout * 1000)
    if isinstance(stdin, str):
        body["stdin"] = stdin
    elif stdin is not None and stdin is not False:
        body["stdin_stream"] = True
    return body


class AsyncCommandHandle:
    """A command started with ``background=True``: wait for it, kill it, feed it, read its output.

    ``async for stream, data in handle`` yields its output from the start, as it happens; any
    number of readers may iterate, and `wait()` can come before, during or after.
    """

    def __init__(
        self,
        connection: Connection,
        execution_id: str,
        *,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
        stdin: StdinFeed | None = None,
    ) -> None:
        self._connection = connection
        self.execution_id = execution_id
        self._callbacks: dict[Stream, OutputCallback | None] = {"stdout": on_stdout, "stderr": on_stderr}
        self._stdin = stdin
        self._chunks: list[OutputChunk] = []
        self._changed = asyncio.Condition()
        self._result: asyncio.Future[CommandResult] = asyncio.get_running_loop().create_future()
        self._follower: asyncio.Task[None] | None = None
        if on_stdout or on_stderr:
            self._follow()

    def _follow(self) -> None:
        # Followed from the first reader on (the stream replays from the start), not before.
        if self._follower is None:
            self._follower = asyncio.create_task(self._read_output())

    async def _read_output(self) -> None:
        decoders = {name: codecs.getincrementaldecoder("utf-8")("replace") for name in ("stdout", "stderr")}

        async def add(stream: Stream, text: str) -> None:
            if not text:
                return
            self._chunks.append(OutputChunk(stream, text))
            async with self._changed:
                self._changed.notify_all()
            await call_back(self._callbacks[stream], text)

        try:
            message: ExecutionStreamMessage
            async for message in follow_execution(self._connection, self.execution_id):
                if message["type"] == "chunk":
                    stream = message["stream"]
                    await add(stream, decoders[stream].decode(base64.b64decode(message["data"])))
                    continue
                for name in ("stdout", "stderr"):
                    await add(cast(Stream, name), decoders[name].decode(b"", final=True))
                if message["type"] == "exit":
                    execution = message["execution"]
                    self._result.set_result(
                        CommandResult(
                            exit_code=message["exit_code"],
                            stdout=self.stdout,
                            stderr=self.stderr,
                            execution_id=self.execution_id,
                            outcome=execution["outcome"],
                            signal=execution.get("signal"),
                            execution=execution,
                        )
                    )
                else:
                    details = message.get("details")
                    self._fail(
                        error_of(message["code"], message["message"], 0, message["retryable"], details)
                    )
                return
        except asyncio.CancelledError:
            self._fail(error_of("ERR_STREAM_CLOSED", "stopped following the command's output (closed)"))
            raise
        except Exception as error:  # a stream failure, or a callback's own error: wait() raises it
            self._fail(error)
        finally:
            self._fail(error_of("ERR_STREAM_CLOSED", "the execution stream ended without an exit"))
            async with self._changed:
                self._changed.notify_all()

    def _fail(self, error: BaseException) -> None:
        if self._result.done():
            return
        self._result.set_exception(error)
        # Retrieved now, so that an error nobody waits for is not reported as never retrieved.
        self._result.exception()

    @property
    def id(self) -> str:
        return self.execution_id

    async def wait(self) -> CommandResult:
        """Waits for the command to end; its result (a non-zero exit is not an error).

        Raises when it could not run (`UnprocessableError` ERR_EXEC_SPAWN_FAILED...), or when its
        output stream could not be followed.
        """
        self._follow()
        return await asyncio.shield(self._result)

    async def kill(self, signal: SignalExecutionRequestSignal = "SIGKILL") -> bool:
        """Signals the command's whole process tree; False when it had already ended."""
        try:
            await self._connection.call(
                "signalExecution", params={"id": self.execution_id}, json={"signal": signal}
            )
        except ConflictError as error:
            if error.code == "ERR_EXECUTION_NOT_RUNNING":
                return False
            raise
        return True

    async def send_stdin(self, data: str | bytes) -> None:
        """Writes to the command's stdin (started with ``stdin=True``); waits while it reads slowly."""
        if self._stdin is None:
            raise ValueError("this command was started without stdin=True")
        await self._stdin.send(data.encode("utf-8") if isinstance(data, str) else bytes(data))

    async def close_stdin(self) -> None:
        """Ends the command's stdin: it reads end of file."""
        if self._stdin is None:
            raise ValueError("this command was started without stdin=True")
        await self._stdin.close()

    def __aiter__(self) -> AsyncIterator[OutputChunk]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[OutputChunk]:
        self._follow()
        index = 0
        while True:
            if index < len(self._chunks):
                yield self._chunks[index]
                index += 1
                continue
            if self._result.done():
                break
            async with self._changed:
                await self._changed.wait_for(lambda: index < len(self._chunks) or self._result.done())
        error = self._result.exception()
        if error is not None:
            raise error

    @property
    def stdout(self) -> str:
        """Standard output read so far."""
        return "".join(chunk.data for chunk in self._chunks if chunk.stream == "stdout")

    @property
    def stderr(self) -> str:
        return "".join(chunk.data for chunk in self._chunks if chunk.stream == "stderr")

    async def aclose(self) -> None:
        """Stops following the output (the command runs on)."""
        if self._follower is not None and not self._follower.done():
            self._follower.cancel()
            await asyncio.gather(self._follower, return_exceptions=True)
        if self._stdin is not None:
            self._stdin.cancel()


class AsyncCommands:
    """Commands of one VM."""

    def __init__(self, connection: Connection, vm_id: str) -> None:
        self._connection = connection
        self._vm_id = vm_id
        self._handles: list[AsyncCommandHandle] = []

    @overload
    async def run(
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
    async def run(
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
    ) -> AsyncCommandHandle:
        ...

    async def run(
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
    ) -> CommandResult | AsyncCommandHandle:
        """Runs `cmd` in the VM: a string under ``sh -c``, a list as argv.

        In the foreground (default) returns its `CommandResult` once it ends, whatever its exit
        code; `on_stdout`/`on_stderr` get its output as it happens. A command that could not run
        as asked raises (`UnprocessableError` ERR_EXEC_SPAWN_FAILED...). With ``background=True``
        returns an `AsyncCommandHandle` at once. `timeout` is in seconds (default: the gateway's,
        10 minutes; 0: no limit of its own). `stdin`: text, bytes, a file object or an iterator
        streamed in; or ``True`` (background only) to write with `send_stdin`.
        """
        if stdin is True and not background:
            raise ValueError(
                "stdin=True needs background=True (to write with send_stdin); pass the data instead"
            )
        body = command_body(cmd, cwd=cwd, env=env, timeout=timeout, stdin=stdin)
        if not background and on_stdout is None and on_stderr is None and not body.get("stdin_stream"):
            return await self._run_waited(body)
        accepted = await self._connection.call("executeCommand", params={"id": self._vm_id}, json=body)
        execution_id = str(accepted["execution_id"])
        feed: StdinFeed | None = None
        if body.get("stdin_stream"):
            source = None if stdin is True else byte_chunks(cast(ByteSource, stdin))
            feed = StdinFeed(self._connection, execution_id, source)
        handle = AsyncCommandHandle(
            self._connection, execution_id, on_stdout=on_stdout, on_stderr=on_stderr, stdin=feed
        )
        if background:
            self._handles.append(handle)
            return handle
        try:
            return await handle.wait()
        finally:
            if feed is not None:
                # A command may end without reading all its input, as with a pipe: not an error here.
                try:
                    await asyncio.wait_for(feed.finished(), _STDIN_GRACE_S)
                except asyncio.TimeoutError:
                    pass
                feed.cancel()
            await handle.aclose()

    async def _run_waited(self, body: ExecuteCommandRequest) -> CommandResult:
        """A foreground command nobody follows live: one request, answered once the command ended
        with its stored execution.

        Following its stream instead costs a second request (about 1.5 times as long for a short
        command). The output is the same either way: each stream is cut at the platform's limit
        (AETHER_OUTPUT_LIMIT_BYTES), on the stream too. A command that outlasts the gateway's
        wait is followed on its stream after all.
        """
        wait_s = RUN_WAIT_S
        try:
            answer: ExecuteDone = await self._connection.call(
                "executeCommand",
                params={"id": self._vm_id},
                query={"wait": True, "wait_timeout_ms": max(1, int(wait_s * 1000))},
                json=body,
                timeout=httpx.Timeout(wait_s + _ANSWER_MARGIN_S, connect=CONNECT_TIMEOUT_S),
            )
        except AetherError as error:
            # A command that could not run as asked is the API's error (422 ERR_EXEC_SPAWN_FAILED...).
            execution_id = await self._execution_of_long_wait(error)
            if execution_id is None:
                raise
            handle = AsyncCommandHandle(self._connection, execution_id)
            try:
                return await handle.wait()
            finally:
                await handle.aclose()
        return result_of(answer["execution"])

    async def _execution_of_long_wait(self, error: AetherError) -> str | None:
        """The execution of a command whose wait ended first (ERR_WAIT_TIMEOUT): it runs on."""
        task_id = error.details.get("taskId")
        if error.code != "ERR_WAIT_TIMEOUT" or not isinstance(task_id, str):
            return None
        task = await self._connection.call("getTask", params={"id": task_id})
        payload = task.get("payload")
        execution_id = payload.get("executionId") if isinstance(payload, dict) else None
        return execution_id if isinstance(execution_id, str) else None

    async def list(self) -> list[ProcessListProcessesItem]:
        """The VM's commands running now, with their pids in the VM."""
        answer = await self._connection.call("listProcesses", params={"id": self._vm_id})
        return list(answer["processes"])

    async def connect(
        self,
        execution_id: str,
        *,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
    ) -> AsyncCommandHandle:
        """A handle to a command already started (by this or another client), by its execution id."""
        await self._connection.call("getExecution", params={"id": execution_id})
        handle = AsyncCommandHandle(self._connection, execution_id, on_stdout=on_stdout, on_stderr=on_stderr)
        self._handles.append(handle)
        return handle

    async def aclose(self) -> None:
        """Stops following every handle's output."""
        handles, self._handles = self._handles, []
        await asyncio.gather(*(handle.aclose() for handle in handles), return_exceptions=True)
