"""The suite runs against a real gateway: ``AETHER_URL`` and ``AETHER_TOKEN`` say which.

Start one with ``npm start`` (or let ``test/e2e/python-sdk.test.ts`` start one) and run::

    AETHER_URL=http://127.0.0.1:8080 AETHER_TOKEN=<key> /usr/bin/python3 -m pytest python/tests -q

Without ``AETHER_URL`` every test that needs a gateway is skipped, saying so. Each sandbox a test
makes is deleted after it, and a failing test's report names the sandbox it used.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from aetherium import Sandbox


@dataclass(frozen=True)
class Gateway:
    url: str
    token: str | None


@pytest.fixture(scope="session")
def gateway() -> Gateway:
    url = os.environ.get("AETHER_URL")
    if not url:
        pytest.skip(
            "AETHER_URL is not set: these tests need a running gateway (npm start) "
            "and its key in AETHER_TOKEN"
        )
    return Gateway(url.rstrip("/"), os.environ.get("AETHER_TOKEN") or None)


@pytest.fixture(scope="module")
def sandbox(gateway: Gateway) -> Iterator[Sandbox]:
    """One sandbox for a module's tests (VMs are cheap, not free); deleted after them."""
    with Sandbox.create(labels={"suite": "python-sdk"}, api_url=gateway.url, api_key=gateway.token) as sb:
        yield sb


@pytest.hookimpl(hookwrapper=True)  # type: ignore[misc]
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        for value in funcargs.values():
            if isinstance(value, Sandbox):
                report.sections.append(
                    ("sandbox", f"id {value.id}, name {value.name}, at {value.config.api_url}")
                )
