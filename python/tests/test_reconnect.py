"""A dropped connection mid-output: the SDK reconnects after the last chunk it had, so the output
arrives whole, in order, once."""

from __future__ import annotations

from aetherium import Sandbox
from conftest import Gateway
from tcp_proxy import TcpProxy

LINES = 60
EXPECTED = "".join(f"line-{i}\n" for i in range(LINES))


def test_output_survives_a_severed_connection(sandbox: Sandbox, gateway: Gateway) -> None:
    with TcpProxy(gateway.url).running() as proxy:
        # A second client of the same sandbox, whose every byte goes through the proxy.
        through_proxy = Sandbox.connect(sandbox.id, api_url=proxy.url, api_key=gateway.token)
        try:
            handle = through_proxy.commands.run(
                f"i=0; while [ $i -lt {LINES} ]; do echo line-$i; i=$((i+1)); sleep 0.04; done",
                background=True,
            )
            received: list[str] = []
            connections_before_cut = 0
            for _, data in handle:
                received.append(data)
                if proxy.severed == 0 and "line-10\n" in "".join(received):
                    connections_before_cut = proxy.connections
                    proxy.sever()
            result = handle.wait()
        finally:
            through_proxy.close()  # the sandbox stays: the module's fixture deletes it
    assert proxy.severed > 0, "the output ended before the proxy cut it"
    assert proxy.connections > connections_before_cut, "no new connection carried the rest"
    assert "".join(received) == EXPECTED
    assert result.stdout == EXPECTED and result.exit_code == 0
