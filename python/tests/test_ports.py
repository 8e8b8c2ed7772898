"""Ports: a web server inside the VM reached from here through a preview URL."""

from __future__ import annotations

import time

import httpx

from aetherium import Sandbox


def test_an_http_server_in_the_vm_is_reached_through_its_preview_url(sandbox: Sandbox) -> None:
    sandbox.files.write("site/index.html", "<h1>hello from the vm</h1>\n")
    server = sandbox.commands.run(
        "cd site && exec python3 -m http.server 8000 --bind 127.0.0.1", background=True
    )
    try:
        url = sandbox.ports.url(8000, expires_in="10m")
        assert url.startswith(sandbox.config.api_url)
        deadline = time.monotonic() + 20
        while True:
            # No API key: the URL is the credential. 502 until the server listens.
            answer = httpx.get(url, timeout=10)
            if answer.status_code != 502 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answer.status_code == 200, answer.text
        assert answer.text == "<h1>hello from the vm</h1>\n"
        previews = sandbox.ports.previews()
        assert previews[0]["port"] == 8000 and previews[0]["state"] == "active"
        sandbox.ports.revoke(previews[0]["id"])
        assert httpx.get(url, timeout=10).status_code == 404
    finally:
        server.kill()
