"""Where the gateway is and which key to show it, from arguments or the environment.

Read once, when a sandbox is created or connected to (never later, never elsewhere):

- ``api_url``, else ``AETHER_URL``, else ``http://127.0.0.1:8080`` (what ``npm start`` serves);
- ``api_key``, else ``AETHER_TOKEN``, else the key ``aether up`` saved for that URL in the
  credentials file: ``AETHER_CREDENTIALS_FILE``, else ``$XDG_CONFIG_HOME/aetherium/credentials.json``
  (``~/.config/aetherium/credentials.json``), the same file and rules as the ``aether`` CLI.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

DEFAULT_URL = "http://127.0.0.1:8080"

# `localhost:8080` and `127.0.0.1:8080` are the same local gateway to the credentials file.
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0", "::"})


@dataclass(frozen=True)
class ConnectionConfig:
    """The gateway's base URL (no ``/api/v1``) and the bearer token sent to it, if any."""

    api_url: str
    api_key: str | None

    def __repr__(self) -> str:
        # Never print a key.
        return f"ConnectionConfig(api_url={self.api_url!r}, api_key={'***' if self.api_key else None})"


def resolve_config(
    api_url: str | None = None,
    api_key: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ConnectionConfig:
    environment = os.environ if env is None else env
    url = (api_url or environment.get("AETHER_URL") or DEFAULT_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"api_url must be an http(s) URL such as {DEFAULT_URL}, not {url!r}")
    key = api_key or environment.get("AETHER_TOKEN") or find_saved_key(credentials_path(environment), url)
    return ConnectionConfig(url, key or None)


def credentials_path(env: Mapping[str, str]) -> Path:
    if env.get("AETHER_CREDENTIALS_FILE"):
        return Path(env["AETHER_CREDENTIALS_FILE"])
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "aetherium" / "credentials.json"


def find_saved_key(path: Path, url: str) -> str | None:
    """The key saved for `url`: an exact match, else one for the same port on a loopback address."""
    try:
        gateways = json.loads(path.read_text(encoding="utf-8")).get("gateways", {})
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(gateways, dict):
        return None
    exact = _key_of(gateways.get(url.rstrip("/")))
    if exact:
        return exact
    wanted = urlsplit(url)
    if wanted.hostname not in _LOOPBACK_HOSTS:
        return None
    for saved, entry in gateways.items():
        candidate = urlsplit(str(saved))
        if candidate.hostname in _LOOPBACK_HOSTS and _port_of(candidate) == _port_of(wanted):
            key = _key_of(entry)
            if key:
                return key
    return None


def _key_of(entry: object) -> str | None:
    key = entry.get("api_key") if isinstance(entry, dict) else None
    return key if isinstance(key, str) and key else None


def _port_of(parts: SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None
