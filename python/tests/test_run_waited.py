"""A foreground command nobody follows live is one waited request; one that outlasts the
gateway's wait is followed on its stream; either way the result is the same."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aetherium import CommandResult, Sandbox, UnprocessableError, _commands
from aetherium._connection import Connection

#: The platform's default cut of each output stream (AETHER_OUTPUT_LIMIT_BYTES).
OUTPUT_LIMIT_BYTES = 1024 * 1024


@pytest.fixture
def requests_sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every request the SDK sends while the test runs, as ``METHOD /path?query``; they still go out."""
    sent: list[str] = []
    send = Connection._send

    async def recording(
        self: Connection, request: httpx.Request, *args: Any, **kwargs: Any
    ) -> httpx.Response:
        query = request.url.query.decode()
        sent.append(f"{request.method} {request.url.path}" + (f"?{query}" if query else ""))
        return await send(self, request, *args, **kwargs)

    monkeypatch.setattr(Connection, "_send", recording)
    yield sent


def shapes(sent: list[str]) -> list[str]:
    """The requests with ids left out, to compare with the expected sequence."""
    return [re.sub(r"/(vms|tasks|executions)/[^/?]+", r"/\1/ID", line) for line in sent]


def comparable(result: CommandResult) -> tuple[Any, ...]:
    return (result.exit_code, result.stdout, result.stderr, result.outcome, result.signal)


def test_a_short_command_is_one_request_answered_with_its_result(
    sandbox: Sandbox, requests_sent: list[str]
) -> None:
    result = sandbox.commands.run("printf out; printf err >&2; exit 7")
    assert comparable(result) == (7, "out", "err", "exited", None)
    assert result.execution is not None and result.execution["id"] == result.execution_id
    wait_ms = int(_commands.RUN_WAIT_S * 1000)
    assert shapes(requests_sent) == [f"POST /api/v1/vms/ID/execute?wait=true&wait_timeout_ms={wait_ms}"]


def test_the_result_is_the_same_as_when_the_output_is_followed(sandbox: Sandbox) -> None:
    script = "echo one; echo two >&2; printf 'caf\\303\\251'; kill -TERM $$"
    waited = sandbox.commands.run(script)
    followed = sandbox.commands.run(script, on_stdout=lambda _: None)
    assert comparable(waited) == comparable(followed) == (None, "one\ncafé", "two\n", "signalled", "SIGTERM")


def test_output_past_the_limit_is_cut_alike_either_way(sandbox: Sandbox) -> None:
    script = f"head -c {OUTPUT_LIMIT_BYTES + 300_000} /dev/zero | tr '\\0' x"
    waited = sandbox.commands.run(script)
    followed = sandbox.commands.run(script, on_stdout=lambda _: None)
    assert waited.stdout == followed.stdout == "x" * OUTPUT_LIMIT_BYTES
    assert waited.execution is not None and waited.execution["stdout_truncated"] is True


def test_a_command_that_outlasts_the_gateways_wait_is_followed_on_its_stream(
    sandbox: Sandbox, requests_sent: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wait far shorter than the command: the gateway answers ERR_WAIT_TIMEOUT while it runs.
    monkeypatch.setattr(_commands, "RUN_WAIT_S", 0.2)
    result = sandbox.commands.run("echo before; sleep 1.5; echo after >&2; exit 4")
    assert comparable(result) == (4, "before\n", "after\n", "exited", None)
    assert result.execution is not None and result.execution["id"] == result.execution_id
    assert shapes(requests_sent) == [
        "POST /api/v1/vms/ID/execute?wait=true&wait_timeout_ms=200",
        "GET /api/v1/tasks/ID",
        "GET /api/v1/executions/ID/stream",
    ]
    assert requests_sent[-1].startswith(f"GET /api/v1/executions/{result.execution_id}/stream")


def test_a_command_that_cannot_start_raises_the_apis_error_on_both_paths(
    sandbox: Sandbox, requests_sent: list[str]
) -> None:
    with pytest.raises(UnprocessableError) as waited:
        sandbox.commands.run(["/no/such/program"])
    assert (waited.value.code, waited.value.status) == ("ERR_EXEC_SPAWN_FAILED", 422)
    assert len(requests_sent) == 1
    with pytest.raises(UnprocessableError) as followed:
        sandbox.commands.run(["/no/such/program"], on_stderr=lambda _: None)
    assert followed.value.code == "ERR_EXEC_SPAWN_FAILED"
