"""``sandbox.ports``: apps listening inside the VM, reached from outside through the gateway."""

from __future__ import annotations

from typing import cast

from ._api_types import CreatedPreview, Preview
from ._connection import Connection
from ._durations import Duration, seconds_of


class AsyncPorts:
    """Ports of one VM."""

    def __init__(self, connection: Connection, vm_id: str) -> None:
        self._connection = connection
        self._vm_id = vm_id

    async def url(self, port: int, *, expires_in: Duration | None = None) -> str:
        """A preview URL of `port` (an app on 127.0.0.1 inside the VM): anyone holding it may open it,
        without an API key, until it expires (`expires_in`: seconds or ``"2h"``; default 1 h, at most
        7 days) or is revoked."""
        return (await self.preview(port, expires_in=expires_in))["url"]

    async def preview(self, port: int, *, expires_in: Duration | None = None) -> CreatedPreview:
        """The preview URL of `port` with its id (to revoke it) and expiry."""
        body: dict[str, object] = {"port": port}
        if expires_in is not None:
            body["expires_in"] = seconds_of(expires_in, "expires_in")
        return cast(
            CreatedPreview,
            await self._connection.call("createPreview", params={"id": self._vm_id}, json=body),
        )

    async def previews(self) -> list[Preview]:
        """The VM's preview URLs, newest first, with their state (never their tokens)."""
        answer = await self._connection.call("listPreviews", params={"id": self._vm_id})
        return list(answer["previews"])

    async def revoke(self, preview_id: str) -> None:
        """Revokes a preview URL at once."""
        await self._connection.call("revokePreview", params={"id": self._vm_id, "preview_id": preview_id})
