"""`Sandbox`: the blocking face of `AsyncSandbox`, for scripts and notebooks without asyncio.

Each `Sandbox` runs the async implementation on an event loop of its own, in a daemon thread,
with its own connections; `close()` (or leaving its ``with`` block) ends both.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

from ._api_types import DriverNameInput, Snapshot, Vm, VmOnExpiry
from ._config import ConnectionConfig
from ._durations import Duration
from ._sandbox import DEFAULT_WAIT_S, AsyncSandbox
from ._sync_commands import Commands
from ._sync_files import Files
from ._sync_pty import Ports, Pty
from ._sync_runner import LoopThread

T = TypeVar("T")


class Sandbox:
    """A VM to run code in: ``sandbox.commands``, ``.files``, ``.pty``, ``.ports``.

    ``with Sandbox.create() as sb:`` deletes the VM when the block ends; `Sandbox.connect` reaches
    an existing one. Every method blocks until its answer; see `AsyncSandbox` for asyncio.
    """

    def __init__(self, inner: AsyncSandbox, runner: LoopThread) -> None:
        self._inner = inner
        self._runner = runner
        self.commands = Commands(inner.commands, runner)
        self.files = Files(inner.files, runner)
        self.pty = Pty(inner.pty, runner)
        self.ports = Ports(inner.ports, runner)

    @property
    def id(self) -> str:
        """The VM's id."""
        return self._inner.id

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def config(self) -> ConnectionConfig:
        return self._inner.config

    def __repr__(self) -> str:
        return f"Sandbox(id={self.id!r}, name={self.name!r}, api_url={self.config.api_url!r})"

    @classmethod
    def create(
        cls,
        *,
        driver: DriverNameInput | None = None,
        vcpus: int | None = None,
        memory_mib: int | None = None,
        tools: Sequence[str] | None = None,
        tool_versions: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
        ttl: Duration | None = None,
        idle_timeout: Duration | None = None,
        on_expiry: VmOnExpiry | None = None,
        name: str | None = None,
        image: str | None = None,
        network: bool | None = None,
        from_snapshot: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: float = DEFAULT_WAIT_S,
        api_url: str | None = None,
        api_key: str | None = None,
    ) -> Sandbox:
        """Creates a VM and waits until it runs (see `AsyncSandbox.create` for the options)."""
        pending = AsyncSandbox.create(
            driver=driver,
            vcpus=vcpus,
            memory_mib=memory_mib,
            tools=tools,
            tool_versions=tool_versions,
            labels=labels,
            ttl=ttl,
            idle_timeout=idle_timeout,
            on_expiry=on_expiry,
            name=name,
            image=image,
            network=network,
            from_snapshot=from_snapshot,
            metadata=metadata,
            timeout=timeout,
            api_url=api_url,
            api_key=api_key,
        )

        async def created() -> AsyncSandbox:
            return await pending

        return cls._started(created)

    @classmethod
    def connect(cls, id_or_name: str, *, api_url: str | None = None, api_key: str | None = None) -> Sandbox:
        """An existing VM, by its id or name; `NotFoundError` when there is none."""
        return cls._started(lambda: AsyncSandbox.connect(id_or_name, api_url=api_url, api_key=api_key))

    @classmethod
    def _started(cls, make: Callable[[], Coroutine[Any, Any, AsyncSandbox]]) -> Sandbox:
        runner = LoopThread()
        try:
            return cls(runner.run(make()), runner)
        except BaseException:
            runner.close()
            raise

    @classmethod
    def list(
        cls,
        *,
        labels: Mapping[str, str] | None = None,
        status: Sequence[str] | None = None,
        api_url: str | None = None,
        api_key: str | None = None,
    ) -> list[Vm]:
        """The project's VMs with every label of `labels` (and one of the `status` values, if given)."""
        runner = LoopThread()
        try:
            return runner.run(
                AsyncSandbox.list(labels=labels, status=status, api_url=api_url, api_key=api_key)
            )
        finally:
            runner.close()

    def info(self) -> Vm:
        return self._runner.run(self._inner.info())

    def stop(self, *, timeout: float = DEFAULT_WAIT_S) -> Vm:
        return self._runner.run(self._inner.stop(timeout=timeout))

    def start(self, *, timeout: float = DEFAULT_WAIT_S) -> Vm:
        return self._runner.run(self._inner.start(timeout=timeout))

    def pause(self, *, hibernate: bool = False, timeout: float = DEFAULT_WAIT_S) -> Vm:
        return self._runner.run(self._inner.pause(hibernate=hibernate, timeout=timeout))

    def resume(self, *, timeout: float = DEFAULT_WAIT_S) -> Vm:
        return self._runner.run(self._inner.resume(timeout=timeout))

    def snapshot(self, *, timeout: float = DEFAULT_WAIT_S) -> Snapshot:
        """Saves the running VM; ``Sandbox.create(from_snapshot=snapshot["id"])`` starts copies."""
        return self._runner.run(self._inner.snapshot(timeout=timeout))

    def set_timeout(self, ttl: Duration) -> Vm:
        """Gives the VM `ttl` more to live (see `AsyncSandbox.set_timeout`)."""
        return self._runner.run(self._inner.set_timeout(ttl))

    def kill(self, *, timeout: float = DEFAULT_WAIT_S) -> bool:
        """Deletes the VM and everything in it; False when it was already gone."""
        return self._runner.run(self._inner.kill(timeout=timeout))

    def close(self) -> None:
        """Releases this client (its connections, streams and loop thread); the VM runs on."""
        try:
            self._runner.run(self._inner.close())
        finally:
            self._runner.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            self.kill()
        finally:
            self.close()
