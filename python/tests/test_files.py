"""Files through the blocking API, including a 100 MiB file streamed both ways."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import pytest

from aetherium import ConflictError, NotFoundError, Sandbox, ValidationError

MIB = 1 << 20


def test_write_and_read_text_bytes_and_streams(sandbox: Sandbox) -> None:
    assert sandbox.files.write("notes/hello.txt", "héllo\n")["bytes"] == len("héllo\n".encode())
    assert sandbox.files.read("notes/hello.txt") == "héllo\n"
    payload = bytes(range(256)) * 1000
    sandbox.files.write("notes/blob.bin", iter([payload[:1000], payload[1000:]]), mode=0o600)
    assert sandbox.files.read("notes/blob.bin", format="bytes") == payload
    assert sandbox.files.stat("notes/blob.bin")["mode"] & 0o777 == 0o600
    with sandbox.files.read("notes/blob.bin", format="stream") as stream:
        assert stream.size == len(payload) and stream.entry["name"] == "blob.bin"
        assert b"".join(stream) == payload
    assert sandbox.commands.run("cat notes/hello.txt").stdout == "héllo\n"


def test_list_stat_exists_mkdir_rename_remove(sandbox: Sandbox) -> None:
    sandbox.files.mkdir("tree/a/b", parents=True)
    sandbox.files.write("tree/a/b/leaf.txt", "leaf")
    assert [entry["name"] for entry in sandbox.files.list("tree")] == ["a"]
    listing = sandbox.files.list("tree", recursive=True)
    assert (
        sorted(entry["name"] for entry in listing) == ["a", "a/b", "a/b/leaf.txt"] and not listing.truncated
    )
    assert sandbox.files.stat("tree/a/b/leaf.txt")["size"] == 4
    with pytest.raises(ValidationError) as directory:
        sandbox.files.read("tree/a")
    assert directory.value.code == "ERR_IS_A_DIRECTORY"
    with pytest.raises(ConflictError):
        sandbox.files.mkdir("tree/a")
    sandbox.files.rename("tree/a/b/leaf.txt", "tree/moved.txt")
    assert sandbox.files.exists("tree/moved.txt") and not sandbox.files.exists("tree/a/b/leaf.txt")
    with pytest.raises(ConflictError) as not_empty:
        sandbox.files.remove("tree")
    assert not_empty.value.code == "ERR_DIRECTORY_NOT_EMPTY"
    sandbox.files.remove("tree", recursive=True)
    assert not sandbox.files.exists("tree")
    with pytest.raises(NotFoundError) as missing:
        sandbox.files.read("tree/moved.txt")
    assert missing.value.code == "ERR_FILE_NOT_FOUND"


def test_directories_upload_and_download_as_trees(sandbox: Sandbox, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.py").write_text("print('hi')\n")
    (project / "run.sh").write_text("#!/bin/sh\necho run\n")
    (project / "run.sh").chmod(0o755)
    (project / "latest").symlink_to("run.sh")
    result = sandbox.files.upload(project, "uploaded")
    assert result["files"] >= 2
    assert (
        sandbox.commands.run("./uploaded/latest && cat uploaded/src/main.py").stdout == "run\nprint('hi')\n"
    )

    copy = tmp_path / "copy"
    entry = sandbox.files.download("uploaded", copy)
    assert entry["type"] == "directory"
    assert (copy / "src" / "main.py").read_text() == "print('hi')\n"
    assert os.readlink(copy / "latest") == "run.sh" and os.access(copy / "run.sh", os.X_OK)

    single = tmp_path / "single.py"
    sandbox.files.download("uploaded/src/main.py", single)
    assert single.read_text() == "print('hi')\n"


def resident_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


class PeakMemory:
    """Samples this process's resident memory while a block runs."""

    def __init__(self) -> None:
        self.baseline = resident_bytes()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, resident_bytes())
            time.sleep(0.01)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.baseline) / MIB


@pytest.mark.slow
def test_a_100_mib_file_streams_both_ways_without_being_held_in_memory(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    size = 100 * MIB
    source = tmp_path / "big.bin"
    digest = hashlib.sha256()
    with open(source, "wb") as out:
        for _ in range(size // MIB):
            block = os.urandom(MIB)
            digest.update(block)
            out.write(block)
    expected = digest.hexdigest()

    with PeakMemory() as memory:
        assert sandbox.files.upload(source, "big.bin")["bytes"] == size
        checked = sandbox.commands.run("sha256sum big.bin && stat -c %s big.bin").stdout.split()
        assert (checked[0], int(checked[2])) == (expected, size)

        copy = tmp_path / "copy.bin"
        sandbox.files.download("big.bin", copy)
        assert copy.stat().st_size == size

        streamed = hashlib.sha256()
        received = 0
        with sandbox.files.read("big.bin", format="stream") as stream:
            for chunk in stream:
                streamed.update(chunk)
                received += len(chunk)
        assert (received, streamed.hexdigest()) == (size, expected)
    copied = hashlib.sha256()
    with open(copy, "rb") as data:
        while block := data.read(MIB):
            copied.update(block)
    assert copied.hexdigest() == expected
    assert memory.growth_mib < 32, f"resident memory grew {memory.growth_mib:.1f} MiB moving 100 MiB"
    sandbox.files.remove("big.bin")
