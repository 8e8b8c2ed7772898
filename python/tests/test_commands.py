"""Commands through the blocking API: foreground, background, kill, stdin, output as it happens."""

from __future__ import annotations

import threading

import pytest

from aetherium import CommandHandle, OutputChunk, Sandbox, UnprocessableError


def test_foreground_returns_the_result_whatever_the_exit_code(sandbox: Sandbox) -> None:
    result = sandbox.commands.run("echo out; echo err >&2; exit 3")
    assert (result.exit_code, result.stdout, result.stderr, result.outcome) == (3, "out\n", "err\n", "exited")
    assert not result.ok
    assert result.execution is not None and result.execution["id"] == result.execution_id


def test_a_list_is_argv_and_a_string_is_a_shell_command(sandbox: Sandbox) -> None:
    # As argv, `$HOME` and the quotes reach the program untouched.
    assert sandbox.commands.run(["printf", "%s|", "$HOME", "a b"]).stdout == "$HOME|a b|"
    assert sandbox.commands.run("printf '%s|' \"$X\" a", env={"X": "from env"}).stdout == "from env|a|"
    assert sandbox.commands.run("pwd", cwd="/tmp").stdout == "/tmp\n"


def test_a_command_that_cannot_start_raises(sandbox: Sandbox) -> None:
    with pytest.raises(UnprocessableError) as raised:
        sandbox.commands.run(["/no/such/program"])
    assert raised.value.code == "ERR_EXEC_SPAWN_FAILED"


def test_timeout_ends_the_command(sandbox: Sandbox) -> None:
    result = sandbox.commands.run("echo started; sleep 30", timeout=0.5)
    assert (result.outcome, result.exit_code, result.stdout) == ("timed_out", None, "started\n")


def test_callbacks_get_the_output_in_order_on_their_own_thread(sandbox: Sandbox) -> None:
    seen: list[tuple[str, str]] = []
    threads: set[str] = set()

    def on_stdout(text: str) -> None:
        threads.add(threading.current_thread().name)
        seen.append(("stdout", text))

    result = sandbox.commands.run(
        "for i in 1 2 3; do echo out-$i; echo err-$i >&2; sleep 0.05; done",
        on_stdout=on_stdout,
        on_stderr=lambda text: seen.append(("stderr", text)),
    )
    assert (
        "".join(text for stream, text in seen if stream == "stdout")
        == result.stdout
        == "out-1\nout-2\nout-3\n"
    )
    assert "".join(text for stream, text in seen if stream == "stderr") == result.stderr
    assert threading.current_thread().name not in threads


def test_a_callback_may_call_the_sandbox_and_its_error_is_raised(sandbox: Sandbox) -> None:
    listed: list[bool] = []
    sandbox.commands.run("echo x > made-by-command", on_stdout=lambda _: None)
    sandbox.commands.run(
        "echo go", on_stdout=lambda _: listed.append(sandbox.files.exists("made-by-command"))
    )
    assert listed == [True]

    def fail(_: str) -> None:
        raise RuntimeError("the callback failed")

    with pytest.raises(RuntimeError, match="the callback failed"):
        sandbox.commands.run("echo go", on_stdout=fail)


def test_background_handle_iterates_output_as_it_happens(sandbox: Sandbox) -> None:
    # The command waits for a file this test writes only once it has read the first line: the
    # output must arrive while the command runs, or the command gives up.
    script = (
        "echo first; i=0; while [ ! -e go ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; "
        "[ -e go ] && echo saw-go || echo gave-up; rm -f go"
    )
    handle = sandbox.commands.run(script, background=True)
    assert isinstance(handle, CommandHandle)
    chunks: list[OutputChunk] = []
    for chunk in handle:
        chunks.append(chunk)
        if chunk.data.startswith("first"):
            sandbox.files.write("go", "")
    assert "".join(chunk.data for chunk in chunks) == "first\nsaw-go\n"
    result = handle.wait()
    assert (result.exit_code, result.stdout) == (0, "first\nsaw-go\n")
    # A second reader, after the end, reads the whole output again.
    assert list(handle) == chunks


def test_kill_signals_a_running_command(sandbox: Sandbox) -> None:
    handle = sandbox.commands.run("echo ready; sleep 60", background=True)
    for stream, data in handle:
        if "ready" in data:
            break
    assert handle.execution_id in [process["execution_id"] for process in sandbox.commands.list()]
    assert handle.kill() is True
    result = handle.wait()
    assert (result.outcome, result.signal, result.exit_code) == ("signalled", "SIGKILL", None)
    assert handle.kill() is False
    assert handle.execution_id not in [process["execution_id"] for process in sandbox.commands.list()]


def test_stdin_streams_to_a_background_command(sandbox: Sandbox) -> None:
    handle = sandbox.commands.run(
        ["sh", "-c", "while read line; do echo got-$line; done; echo eof"], background=True, stdin=True
    )
    handle.send_stdin("one\n")
    # The command answers each line as it reads it: stdin is live, not sent at the end.
    for _, data in handle:
        if "got-one" in data:
            break
    handle.send_stdin(b"two\n")
    handle.close_stdin()
    assert handle.wait().stdout == "got-one\ngot-two\neof\n"


def test_stdin_from_text_bytes_and_iterators(sandbox: Sandbox) -> None:
    assert sandbox.commands.run("cat", stdin="text in\n").stdout == "text in\n"
    assert sandbox.commands.run("wc -c", stdin=b"\x00\xff" * 300_000).stdout.strip() == "600000"
    chunks = (f"{i}\n".encode() for i in range(1000))
    assert sandbox.commands.run("tail -n 1", stdin=chunks).stdout == "999\n"
    # A command that stops reading early is no error, as with a pipe.
    assert sandbox.commands.run("head -c 3", stdin=b"x" * 5_000_000).stdout == "xxx"


def test_stdin_true_needs_background(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="background"):
        sandbox.commands.run("cat", stdin=True)
