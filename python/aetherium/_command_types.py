"""What a command gives back: its result, and its output as it happens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from ._api_types import Execution, ExecutionOutcome

Stream = Literal["stdout", "stderr"]


class OutputChunk(NamedTuple):
    """A piece of a command's output as it was printed: ``for stream, data in handle``."""

    stream: Stream
    #: Decoded as UTF-8 (a character split between two chunks arrives whole, in the second).
    data: str


@dataclass(frozen=True)
class CommandResult:
    """A finished command. A non-zero `exit_code` is a result, not an error: check it."""

    #: None when the command did not exit by itself (`outcome` ``timed_out`` or ``signalled``).
    exit_code: int | None
    stdout: str
    stderr: str
    execution_id: str
    #: ``exited``, ``timed_out``, ``signalled``...: how it ended.
    outcome: ExecutionOutcome
    #: The signal that ended it (``SIGKILL``...), if one did.
    signal: str | None = None
    #: The gateway's record of the execution (times, duration, truncation flags).
    execution: Execution | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """It exited with status 0."""
        return self.exit_code == 0


@dataclass(frozen=True)
class PtyResult:
    """How a terminal's command ended."""

    exit_code: int | None
    signal: str | None
