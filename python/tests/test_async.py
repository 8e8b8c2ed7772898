"""The asyncio API: the same sandbox, commands, files and terminals, awaited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from aetherium import AsyncSandbox, NotFoundError
from conftest import Gateway


@pytest.mark.asyncio
async def test_async_sandbox_end_to_end(gateway: Gateway) -> None:
    async with AsyncSandbox.create(
        labels={"suite": "python-sdk"}, api_url=gateway.url, api_key=gateway.token
    ) as sb:
        result = await sb.commands.run("echo async; exit 4")
        assert (result.exit_code, result.stdout) == (4, "async\n")

        # Async callbacks are awaited, in order.
        lines: list[str] = []

        async def on_stdout(text: str) -> None:
            await asyncio.sleep(0)
            lines.append(text)

        handle = await sb.commands.run(
            "for i in 1 2 3; do echo n-$i; sleep 0.1; done", on_stdout=on_stdout, background=True
        )
        streamed = [chunk.data async for chunk in handle]
        assert "".join(streamed) == "n-1\nn-2\nn-3\n" == (await handle.wait()).stdout == "".join(lines)

        # Several commands at once on one sandbox.
        results = await asyncio.gather(*(sb.commands.run(f"echo {i}") for i in range(5)))
        assert [r.stdout for r in results] == [f"{i}\n" for i in range(5)]

        feeder = await sb.commands.run("tr a-z A-Z", background=True, stdin=True)
        await feeder.send_stdin("shout\n")
        await feeder.close_stdin()
        assert (await feeder.wait()).stdout == "SHOUT\n"

        async def chunks() -> AsyncIterator[bytes]:
            for i in range(3):
                yield f"part-{i};".encode()

        await sb.files.write("async/parts.txt", chunks())
        stream = await sb.files.read("async/parts.txt", format="stream")
        async with stream:
            assert b"".join([chunk async for chunk in stream]) == b"part-0;part-1;part-2;"
        assert await sb.files.exists("async/parts.txt")

        output = bytearray()
        terminal = await sb.pty.create(
            cols=90, rows=30, command=["sh", "-c", "stty size"], on_data=output.extend
        )
        assert (await terminal.wait()).exit_code == 0
        assert b"30 90" in output

        vm_id = sb.id
    # Leaving the block deleted it: the gateway keeps its record, but there is nothing to connect to.
    with pytest.raises(NotFoundError) as caught:
        await AsyncSandbox.connect(vm_id, api_url=gateway.url, api_key=gateway.token)
    assert caught.value.code == "ERR_VM_NOT_FOUND"


@pytest.mark.asyncio
async def test_await_create_then_kill_and_close(gateway: Gateway) -> None:
    sb = await AsyncSandbox.create(api_url=gateway.url, api_key=gateway.token)
    try:
        assert (await sb.info())["status"] == "running"
        assert await sb.kill() is True
        assert await sb.kill() is False
    finally:
        await sb.close()
