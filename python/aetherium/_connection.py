"""One gateway connection: the operations of the API by id, over one ``httpx.AsyncClient``.

Paths come from the generated operation table, so a call names an operation the document has.
Every failure leaves here as an `AetherError`: the API's own error answers by their code, and a
gateway that cannot be reached, or that stops answering, by the SDK's codes.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Final
from urllib.parse import quote

import httpx

from ._version import __version__
from ._api_types import OPERATIONS, OperationId
from ._config import ConnectionConfig
from .errors import AetherError, error_from_body, error_of

QueryValue = str | int | float | bool | Sequence[str] | None
Query = Mapping[str, QueryValue]

RAW_MEDIA_TYPE: Final = "application/octet-stream"
TAR_MEDIA_TYPE: Final = "application/x-tar"
FILE_ENTRY_HEADER: Final = "x-aether-entry"

#: Ordinary calls: how long an answer may take.
DEFAULT_TIMEOUT_S: Final = 60.0
CONNECT_TIMEOUT_S: Final = 10.0


def _unlimited() -> httpx.Timeout:
    return httpx.Timeout(None, connect=CONNECT_TIMEOUT_S)


class Connection:
    """The gateway at `config.api_url`, with its key; `aclose()` releases its connections."""

    def __init__(self, config: ConnectionConfig, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.config = config
        headers = {"user-agent": f"aetherium-python/{__version__}"}
        if config.api_key:
            headers["authorization"] = f"Bearer {config.api_key}"
        self._client = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
            follow_redirects=False,
        )

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}

    def url(self, operation: OperationId, params: Mapping[str, str | int] | None = None) -> str:
        """The absolute URL of an operation, its path parameters filled in (percent-encoded)."""
        _, template = OPERATIONS[operation]
        path = template
        for name, value in (params or {}).items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        if "{" in path:
            raise ValueError(f"{operation}: a path parameter is missing in {path}")
        return self.config.api_url + path

    async def call(
        self,
        operation: OperationId,
        *,
        params: Mapping[str, str | int] | None = None,
        query: Query | None = None,
        json: Any = None,
        timeout: httpx.Timeout | None = None,
    ) -> Any:
        """Calls an operation with a JSON body (or none) and returns its JSON answer."""
        method, _ = OPERATIONS[operation]
        request = self._client.build_request(
            method,
            self.url(operation, params),
            params=_query_params(query),
            json=json,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
        response = await self._send(request)
        return _json_of(response)

    async def call_waiting(
        self,
        operation: OperationId,
        *,
        params: Mapping[str, str | int],
        wait_s: float,
        query: Query | None = None,
        json: Any = None,
    ) -> Any:
        """A write answered when its task ends (``?wait=true``), waiting at most `wait_s` at the gateway."""
        waited: dict[str, QueryValue] = {**(query or {}), "wait": True, "wait_timeout_ms": int(wait_s * 1000)}
        return await self.call(operation, params=params, query=waited, json=json, timeout=_unlimited())

    async def send_stream(
        self,
        operation: OperationId,
        body: AsyncIterable[bytes],
        *,
        content_type: str,
        params: Mapping[str, str | int] | None = None,
        query: Query | None = None,
    ) -> Any:
        """Streams `body` as the request (chunked, pulled as the connection takes it); its JSON answer."""
        method, _ = OPERATIONS[operation]
        request = self._client.build_request(
            method,
            self.url(operation, params),
            params=_query_params(query),
            content=body,
            # The gateway may answer before it has read the whole body (a refusal, a command that
            # closed its stdin); such a connection must not carry another request.
            headers={"content-type": content_type, "connection": "close"},
            timeout=_unlimited(),
        )
        return _json_of(await self._send(request, streamed_body=True))

    @asynccontextmanager
    async def open(
        self,
        operation: OperationId,
        *,
        params: Mapping[str, str | int] | None = None,
        query: Query | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """An answer whose body is read as it arrives; an error answer raises before it is yielded."""
        method, _ = OPERATIONS[operation]
        request = self._client.build_request(
            method,
            self.url(operation, params),
            params=_query_params(query),
            headers=dict(headers or {}),
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
        response = await self._send(request, stream=True)
        try:
            yield response
        finally:
            await response.aclose()

    async def _send(
        self, request: httpx.Request, stream: bool = False, streamed_body: bool = False
    ) -> httpx.Response:
        try:
            response = await self._client.send(request, stream=stream)
        except httpx.WriteError as error:
            if not streamed_body:
                raise self.unreachable(error) from error
            # httpx cannot read an answer once sending failed: what it would have said is lost.
            raise error_of(
                "ERR_TRANSFER_ABORTED",
                f"the gateway stopped taking the body of {request.method} {request.url.path} before its end "
                f"(it refused it, or the connection broke: {error or type(error).__name__})",
            ) from error
        except httpx.TimeoutException as error:
            raise error_of(
                "ERR_CLIENT_TIMEOUT",
                f"the gateway at {self.config.api_url} did not answer {request.method} {request.url.path} "
                f"in time ({type(error).__name__})",
            ) from error
        except httpx.HTTPError as error:
            raise self.unreachable(error) from error
        if response.is_success:
            return response
        try:
            text = (await response.aread()).decode("utf-8", "replace")
        except httpx.HTTPError as error:
            raise self.unreachable(error) from error
        finally:
            await response.aclose()
        raise error_from_body(response.status_code, text)

    def unreachable(self, cause: BaseException) -> AetherError:
        return error_of(
            "ERR_GATEWAY_UNREACHABLE",
            f"cannot reach the gateway at {self.config.api_url} ({cause or type(cause).__name__}); "
            "is `aether up` running? Set AETHER_URL (or api_url) to point elsewhere.",
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def _query_params(query: Query | None) -> list[tuple[str, str | int | float | bool | None]]:
    """A query as pairs: booleans as ``true``, a sequence repeats its key, None and False are left out."""
    pairs: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in (query or {}).items():
        if value is None or value is False:
            continue
        if value is True:
            pairs.append((key, "true"))
        elif isinstance(value, (str, int, float)):
            pairs.append((key, str(value)))
        else:
            pairs.extend((key, str(item)) for item in value)
    return pairs


def _json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise error_of(
            "ERR_HTTP",
            f"HTTP {response.status_code}: the answer is not JSON: {response.text[:200]}",
            response.status_code,
        ) from error
