"""Error answers arrive as typed errors carrying the API's code."""

from __future__ import annotations

import pytest

from aetherium import (
    AetherError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    Sandbox,
    UnavailableError,
    ValidationError,
)
from conftest import Gateway


def test_an_unknown_sandbox_is_not_found(gateway: Gateway) -> None:
    with pytest.raises(NotFoundError) as raised:
        Sandbox.connect("no-such-sandbox", api_url=gateway.url, api_key=gateway.token)
    error = raised.value
    assert (error.code, error.status, error.retryable) == ("ERR_VM_NOT_FOUND", 404, False)
    assert "no-such-sandbox" in error.message and isinstance(error, AetherError)


def test_a_bad_request_names_its_field(gateway: Gateway) -> None:
    with pytest.raises(ValidationError) as raised:
        Sandbox.create(vcpus=1000, api_url=gateway.url, api_key=gateway.token)
    assert raised.value.code == "ERR_VALIDATION" and raised.value.field == "vcpus"
    assert "vcpus" in str(raised.value)
    with pytest.raises(ValidationError) as labels:
        Sandbox.create(labels={"Not Valid": "x"}, api_url=gateway.url, api_key=gateway.token)
    assert labels.value.field is not None and labels.value.field.startswith("labels")


def test_a_bad_key_is_refused(gateway: Gateway) -> None:
    with pytest.raises(AuthenticationError) as raised:
        Sandbox.list(api_url=gateway.url, api_key="aek_not_a_real_key")
    assert (raised.value.code, raised.value.status) == ("ERR_UNAUTHENTICATED", 401)


def test_a_name_taken_is_a_conflict(sandbox: Sandbox, gateway: Gateway) -> None:
    with pytest.raises(ConflictError) as raised:
        Sandbox.create(name=sandbox.name, api_url=gateway.url, api_key=gateway.token)
    assert raised.value.code == "ERR_VM_NAME_TAKEN"


def test_an_unreachable_gateway_says_where_it_looked() -> None:
    with pytest.raises(UnavailableError) as raised:
        Sandbox.list(api_url="http://127.0.0.1:9", api_key="k")
    assert raised.value.code == "ERR_GATEWAY_UNREACHABLE" and raised.value.retryable
    assert "127.0.0.1:9" in raised.value.message
