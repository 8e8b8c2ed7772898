"""A sandbox's life: made with options, found again, stopped and started, paused, extended, deleted."""

from __future__ import annotations

from datetime import datetime

import pytest

from aetherium import Sandbox, ValidationError
from conftest import Gateway


def test_create_with_options_connect_list_and_kill(gateway: Gateway) -> None:
    sandbox = Sandbox.create(
        vcpus=1,
        memory_mib=256,
        labels={"suite": "python-sdk", "case": "lifecycle"},
        ttl="30m",
        idle_timeout=600,
        api_url=gateway.url,
        api_key=gateway.token,
    )
    try:
        info = sandbox.info()
        assert (info["status"], info["vcpus"], info["memory_mib"]) == ("running", 1, 256)
        assert (info["ttl_seconds"], info["idle_timeout_seconds"]) == (1800, 600)
        assert info["labels"] == {"suite": "python-sdk", "case": "lifecycle"}
        assert [
            vm["id"]
            for vm in Sandbox.list(labels={"case": "lifecycle"}, api_url=gateway.url, api_key=gateway.token)
        ] == [sandbox.id]

        with Sandbox.connect(sandbox.name, api_url=gateway.url, api_key=gateway.token) as again:
            assert again.id == sandbox.id
            assert again.commands.run("echo same vm").stdout == "same vm\n"
            # Leaving the block deleted it, for both clients.
        assert sandbox.info()["status"] == "deleted"
        assert sandbox.kill() is False
    finally:
        sandbox.kill()
        sandbox.close()


def test_set_timeout_moves_the_deadline_later(sandbox: Sandbox, gateway: Gateway) -> None:
    with pytest.raises(ValidationError) as no_ttl:
        sandbox.set_timeout(60)
    assert no_ttl.value.field == "ttl_seconds"
    with Sandbox.create(ttl=600, api_url=gateway.url, api_key=gateway.token) as limited:
        before = datetime.fromisoformat(limited.info()["expires_at"] or "")
        after = datetime.fromisoformat(limited.set_timeout("1h")["expires_at"] or "")
        assert (after - before).total_seconds() == pytest.approx(3600, abs=2)


def test_stop_start_pause_resume_keep_the_files(sandbox: Sandbox) -> None:
    sandbox.files.write("kept.txt", "still here")
    assert sandbox.stop()["status"] == "stopped"
    assert sandbox.start()["status"] == "running"
    assert sandbox.files.read("kept.txt") == "still here"
    assert sandbox.pause()["status"] == "paused"
    assert sandbox.resume()["status"] == "running"
    assert sandbox.commands.run("cat kept.txt").stdout == "still here"
