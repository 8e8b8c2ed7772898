"""`AsyncSandbox`: one VM of the gateway, with its commands, files, terminals and ports."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Coroutine, Generator, Mapping, Sequence
from types import TracebackType
from typing import Any, Final, cast

from ._api_types import CreateVmRequest, DriverNameInput, OperationId, Snapshot, Vm, VmOnExpiry
from ._commands import AsyncCommands
from ._config import ConnectionConfig, resolve_config
from ._connection import Connection
from ._durations import Duration, seconds_of
from ._files import AsyncFiles
from ._ports import AsyncPorts
from ._pty import AsyncPty
from .errors import NotFoundError

#: How long a create, start or other change of a VM may take before the SDK gives up waiting.
DEFAULT_WAIT_S: Final = 600.0


def create_request(
    *,
    name: str | None,
    driver: DriverNameInput | None,
    vcpus: int | None,
    memory_mib: int | None,
    tools: Sequence[str] | None,
    tool_versions: Mapping[str, str] | None,
    labels: Mapping[str, str] | None,
    ttl: Duration | None,
    idle_timeout: Duration | None,
    on_expiry: VmOnExpiry | None,
    image: str | None,
    network: bool | None,
    from_snapshot: str | None,
    metadata: Mapping[str, Any] | None,
) -> CreateVmRequest:
    """The body of ``POST /vms``; fields left as None take the gateway's defaults."""
    body: CreateVmRequest = {"name": name or f"sb-{secrets.token_hex(4)}"}
    if driver is not None:
        body["driver"] = driver
    if vcpus is not None:
        body["vcpus"] = vcpus
    if memory_mib is not None:
        body["memory_mib"] = memory_mib
    if tools is not None:
        body["additional_tools"] = list(tools)
    if tool_versions is not None:
        body["tool_versions"] = dict(tool_versions)
    if labels is not None:
        body["labels"] = dict(labels)
    if ttl is not None:
        body["ttl_seconds"] = seconds_of(ttl, "ttl")
    if idle_timeout is not None:
        body["idle_timeout_seconds"] = seconds_of(idle_timeout, "idle_timeout")
    if on_expiry is not None:
        body["on_expiry"] = on_expiry
    if image is not None:
        body["image"] = image
    if network is not None:
        body["network"] = network
    if from_snapshot is not None:
        body["from_snapshot"] = from_snapshot
    if metadata is not None:
        body["metadata"] = dict(metadata)
    return body


class AsyncSandbox:
    """A VM to run code in: ``sandbox.commands``, ``.files``, ``.pty``, ``.ports``.

    Make one with ``await AsyncSandbox.create()`` (or ``async with AsyncSandbox.create() as sb``,
    which deletes it at the end of the block), or reach an existing VM with `connect`.
    """

    def __init__(self, connection: Connection, info: Vm) -> None:
        self._connection = connection
        self._info = info
        self.commands = AsyncCommands(connection, info["id"])
        self.files = AsyncFiles(connection, info["id"])
        self.pty = AsyncPty(connection, info["id"])
        self.ports = AsyncPorts(connection, info["id"])

    @property
    def id(self) -> str:
        """The VM's id."""
        return self._info["id"]

    @property
    def name(self) -> str:
        return self._info["name"]

    @property
    def config(self) -> ConnectionConfig:
        """The gateway this sandbox talks to."""
        return self._connection.config

    def __repr__(self) -> str:
        return f"AsyncSandbox(id={self.id!r}, name={self.name!r}, api_url={self.config.api_url!r})"

    # -- making and finding -------------------------------------------------------------------

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
    ) -> PendingSandbox:
        """Creates a VM and waits until it runs.

        Await it (``sb = await AsyncSandbox.create()``) or enter it (``async with
        AsyncSandbox.create() as sb``: deleted when the block ends). `ttl` and `idle_timeout` are
        seconds or durations such as ``"30m"``; `tools` are tools wanted besides the default set;
        `timeout` is how long to wait for it to run, in seconds. Unset options take the gateway's
        defaults; a name is made up when none is given.
        """
        body = create_request(
            name=name,
            driver=driver,
            vcpus=vcpus,
            memory_mib=memory_mib,
            tools=tools,
            tool_versions=tool_versions,
            labels=labels,
            ttl=ttl,
            idle_timeout=idle_timeout,
            on_expiry=on_expiry,
            image=image,
            network=network,
            from_snapshot=from_snapshot,
            metadata=metadata,
        )
        return PendingSandbox(cls._create(body, timeout, resolve_config(api_url, api_key)))

    @classmethod
    async def _create(cls, body: CreateVmRequest, timeout: float, config: ConnectionConfig) -> AsyncSandbox:
        connection = Connection(config)
        try:
            answer = await connection.call_waiting("createVm", params={}, wait_s=timeout, json=body)
            return cls(connection, cast(Vm, answer["vm"]))
        except BaseException:
            await connection.aclose()
            raise

    @classmethod
    async def connect(
        cls, id_or_name: str, *, api_url: str | None = None, api_key: str | None = None
    ) -> AsyncSandbox:
        """An existing VM, by its id or name; `NotFoundError` when there is none."""
        connection = Connection(resolve_config(api_url, api_key))
        try:
            info = cast(Vm, await connection.call("getVm", params={"id": id_or_name}))
            # The API still shows a deleted VM's record by id; there is nothing to connect to.
            if info["status"] == "deleted":
                raise NotFoundError("ERR_VM_NOT_FOUND", f"sandbox {id_or_name} was deleted", 404)
            return cls(connection, info)
        except BaseException:
            await connection.aclose()
            raise

    @classmethod
    async def list(
        cls,
        *,
        labels: Mapping[str, str] | None = None,
        status: Sequence[str] | None = None,
        api_url: str | None = None,
        api_key: str | None = None,
    ) -> list[Vm]:
        """The project's VMs, with every label of `labels` (and one of the `status` values, if given)."""
        connection = Connection(resolve_config(api_url, api_key))
        try:
            answer = await connection.call(
                "listVms",
                query={
                    "label": [f"{key}={value}" for key, value in (labels or {}).items()],
                    "status": ",".join(status) if status else None,
                },
            )
            return [cast(Vm, vm) for vm in answer["vms"]]
        finally:
            await connection.aclose()

    # -- the VM ---------------------------------------------------------------------------------

    async def info(self) -> Vm:
        """The VM as the gateway has it now (status, driver, size, lifetime, labels...)."""
        self._info = cast(Vm, await self._connection.call("getVm", params={"id": self.id}))
        return self._info

    async def _change(
        self, operation: OperationId, timeout: float, query: dict[str, Any] | None = None
    ) -> Vm:
        answer = await self._connection.call_waiting(
            operation, params={"id": self.id}, wait_s=timeout, query=query
        )
        self._info = cast(Vm, answer["vm"])
        return self._info

    async def stop(self, *, timeout: float = DEFAULT_WAIT_S) -> Vm:
        """Ends the VM's processes, keeping its files; `start` boots it again."""
        return await self._change("stopVm", timeout)

    async def start(self, *, timeout: float = DEFAULT_WAIT_S) -> Vm:
        """Boots a stopped VM again, its files as the stop left them."""
        return await self._change("startVm", timeout)

    async def pause(self, *, hibernate: bool = False, timeout: float = DEFAULT_WAIT_S) -> Vm:
        """Freezes the VM, keeping its memory (on disk with `hibernate`, on qemu and firecracker)."""
        return await self._change("pauseVm", timeout, {"hibernate": hibernate})

    async def resume(self, *, timeout: float = DEFAULT_WAIT_S) -> Vm:
        """Lets a paused VM run on."""
        return await self._change("resumeVm", timeout)

    async def snapshot(self, *, timeout: float = DEFAULT_WAIT_S) -> Snapshot:
        """Saves the running VM (memory, devices, disk): ``create(from_snapshot=snapshot["id"])``
        starts copies of it. Drivers with snapshots: qemu, firecracker."""
        answer = await self._connection.call_waiting("snapshotVm", params={"id": self.id}, wait_s=timeout)
        return cast(Snapshot, answer["snapshot"])

    async def set_timeout(self, ttl: Duration) -> Vm:
        """Gives the VM `ttl` more to live (seconds or ``"30m"``): its deadline moves that much later,
        counted from now if it had passed. Only a VM created with a `ttl` has a deadline to move
        (`ValidationError` otherwise)."""
        info = await self._connection.call(
            "extendVm", params={"id": self.id}, json={"ttl_seconds": seconds_of(ttl, "ttl")}
        )
        self._info = cast(Vm, info)
        return self._info

    async def kill(self, *, timeout: float = DEFAULT_WAIT_S) -> bool:
        """Deletes the VM and everything in it; False when it was already gone."""
        try:
            await self._change("deleteVm", timeout)
        except NotFoundError as error:
            if error.code == "ERR_VM_NOT_FOUND":
                return False
            raise
        return True

    async def close(self) -> None:
        """Releases this client's connections and streams; the VM runs on (see `kill`)."""
        await asyncio.gather(self.commands.aclose(), self.pty.aclose(), return_exceptions=True)
        await self._connection.aclose()

    async def __aenter__(self) -> AsyncSandbox:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            await self.kill()
        finally:
            await self.close()


class PendingSandbox:
    """A sandbox being created: await it for the sandbox, or ``async with`` it to have it deleted."""

    def __init__(self, creating: Coroutine[Any, Any, AsyncSandbox]) -> None:
        self._creating = creating
        self._sandbox: AsyncSandbox | None = None

    def __await__(self) -> Generator[Any, None, AsyncSandbox]:
        return self._creating.__await__()

    async def __aenter__(self) -> AsyncSandbox:
        sandbox = await self._creating
        self._sandbox = sandbox
        return sandbox

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._sandbox is not None:
            await self._sandbox.__aexit__(kind, error, trace)
