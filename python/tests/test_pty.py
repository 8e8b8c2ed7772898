"""Terminals: a shell on a pseudo-terminal, typed into, resized, and ended."""

from __future__ import annotations

import threading
import time

from aetherium import Sandbox


class Screen:
    """What a terminal printed, collected by its `on_data` callback on another thread."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._lock = threading.Condition()

    def __call__(self, data: bytes) -> None:
        with self._lock:
            self._data += data
            self._lock.notify_all()

    def wait_for(self, text: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        with self._lock:
            while text.encode() not in self._data:
                left = deadline - time.monotonic()
                assert left > 0, f"{text!r} never appeared; the terminal showed {bytes(self._data)!r}"
                self._lock.wait(left)
            return self._data.decode("utf-8", "replace")


def test_a_shell_answers_typing_and_its_new_size(sandbox: Sandbox) -> None:
    screen = Screen()
    terminal = sandbox.pty.create(cols=80, rows=24, on_data=screen, command=["sh"])
    terminal.send_input("stty size; echo typed-$((6 * 7))\n")
    screen.wait_for("typed-42")
    assert "24 80" in screen.wait_for("typed-42")

    # The new size reaches the terminal moments after the call: ask until it shows.
    terminal.resize(132, 43)
    deadline = time.monotonic() + 10
    while "43 132" not in screen.wait_for("stty size"):
        assert time.monotonic() < deadline, "the terminal never took its new size"
        terminal.send_input("stty size\n")
        time.sleep(0.2)
    assert terminal.id in [session["id"] for session in sandbox.pty.list()]

    terminal.send_input("exit 5\n")
    result = terminal.wait()
    assert (result.exit_code, result.signal) == (5, None)


def test_kill_hangs_a_terminal_up(sandbox: Sandbox) -> None:
    screen = Screen()
    terminal = sandbox.pty.create(on_data=screen, command=["sh", "-c", "echo waiting; sleep 60"])
    screen.wait_for("waiting")
    terminal.kill()
    result = terminal.wait()
    assert result.exit_code != 0 or result.signal is not None
