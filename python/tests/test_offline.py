"""Parts of the SDK that need no gateway: configuration, durations, error families."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aetherium import errors
from aetherium._config import DEFAULT_URL, resolve_config
from aetherium._durations import seconds_of


def test_config_prefers_arguments_then_environment_then_the_credentials_file(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials.json"
    credentials.write_text(json.dumps({"gateways": {"http://127.0.0.1:18080": {"api_key": "aek_saved"}}}))
    env = {"AETHER_CREDENTIALS_FILE": str(credentials)}

    assert resolve_config(env={}).api_url == DEFAULT_URL
    # The same local gateway under another loopback name finds the saved key.
    found = resolve_config(env={**env, "AETHER_URL": "http://localhost:18080/"})
    assert (found.api_url, found.api_key) == ("http://localhost:18080", "aek_saved")
    assert (
        resolve_config(env={**env, "AETHER_URL": "http://127.0.0.1:18080", "AETHER_TOKEN": "t"}).api_key
        == "t"
    )
    assert resolve_config("http://127.0.0.1:18080", "k", env=env).api_key == "k"
    # Another port, or a remote host, is another gateway.
    assert resolve_config(env={**env, "AETHER_URL": "http://127.0.0.1:18081"}).api_key is None
    assert resolve_config(env={**env, "AETHER_URL": "http://example.test:18080"}).api_key is None
    assert "aek_saved" not in repr(found)
    with pytest.raises(ValueError, match="api_url"):
        resolve_config("127.0.0.1:8080", env={})


def test_config_reads_the_cli_default_path_under_xdg_config_home(tmp_path: Path) -> None:
    saved = tmp_path / "aetherium" / "credentials.json"
    saved.parent.mkdir()
    saved.write_text(json.dumps({"gateways": {DEFAULT_URL: {"api_key": "aek_home"}}}))
    assert resolve_config(env={"XDG_CONFIG_HOME": str(tmp_path)}).api_key == "aek_home"
    saved.write_text("not json")
    assert resolve_config(env={"XDG_CONFIG_HOME": str(tmp_path)}).api_key is None


@pytest.mark.parametrize(
    ("value", "seconds"), [(90, 90), (1.6, 2), ("45", 45), ("30m", 1800), ("1h30m", 5400), ("2d", 172800)]
)
def test_durations(value: int | float | str, seconds: int) -> None:
    assert seconds_of(value, "ttl") == seconds


@pytest.mark.parametrize("value", ["30 minutes", "-5", "1.5h", "", True, -1])
def test_bad_durations_name_the_option(value: int | str) -> None:
    with pytest.raises(ValueError, match="^ttl"):
        seconds_of(value, "ttl")


def test_every_error_code_of_the_api_has_a_family() -> None:
    unsorted = [code for code in errors.API_ERROR_CODES if code not in errors._FAMILIES]
    assert unsorted == [], "add these codes to aetherium/errors.py's _FAMILIES"
    assert all(
        code.endswith("_NOT_FOUND")
        for code, family in errors._FAMILIES.items()
        if family is errors.NotFoundError
    )
    assert all(
        family is errors.NotFoundError
        for code, family in errors._FAMILIES.items()
        if code.endswith("_NOT_FOUND")
    )


def test_errors_are_built_from_the_api_body() -> None:
    body = {"error": {"code": "ERR_VALIDATION", "message": "body.vcpus: Too big", "retryable": False}}
    error = errors.error_from_body(400, json.dumps(body))
    assert isinstance(error, errors.ValidationError)
    assert (error.code, error.status, error.retryable, error.field) == ("ERR_VALIDATION", 400, False, "vcpus")
    # A code this SDK does not know yet is sorted by its status; a body that is not ours is ERR_HTTP.
    assert isinstance(
        errors.error_from_body(404, '{"error": {"code": "ERR_NEW_THING", "message": "m"}}'),
        errors.NotFoundError,
    )
    proxy_page = errors.error_from_body(502, "<html>bad gateway</html>")
    assert (proxy_page.code, proxy_page.retryable) == ("ERR_HTTP", True)
    # The builtin families catch them too.
    assert isinstance(errors.error_of("ERR_WAIT_TIMEOUT", "m", 504), TimeoutError)
    assert isinstance(errors.error_of("ERR_FORBIDDEN", "m", 403), PermissionError)
