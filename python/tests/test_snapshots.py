"""Snapshots, where a driver has them: ``AETHER_TEST_SNAPSHOT_DRIVER=qemu`` (a gateway with that driver)."""

from __future__ import annotations

import os
from typing import cast

import pytest

from aetherium import Sandbox
from aetherium._api_types import DriverNameInput
from conftest import Gateway

DRIVER = cast(DriverNameInput, os.environ.get("AETHER_TEST_SNAPSHOT_DRIVER", ""))


@pytest.mark.skipif(
    not DRIVER,
    reason="AETHER_TEST_SNAPSHOT_DRIVER is not set: snapshots need a driver that has them "
    "(qemu, firecracker) on the gateway; test/e2e/python-sdk.test.ts runs this with qemu",
)
def test_a_snapshot_starts_copies_with_the_same_files(gateway: Gateway) -> None:
    with Sandbox.create(driver=DRIVER, timeout=300, api_url=gateway.url, api_key=gateway.token) as source:
        source.files.write("/root/marker", "kept")
        snapshot = source.snapshot()
        assert (snapshot["status"], snapshot["driver"], snapshot["source_vm_id"]) == (
            "ready",
            DRIVER,
            source.id,
        )
        with Sandbox.create(
            from_snapshot=snapshot["id"], timeout=300, api_url=gateway.url, api_key=gateway.token
        ) as copy:
            assert copy.id != source.id and copy.info()["driver"] == DRIVER
            assert copy.files.read("/root/marker") == "kept"
            assert copy.commands.run("cat /root/marker").stdout == "kept"
