"""Durations as the API takes them: whole seconds, or text such as ``30m``, ``2h``, ``1h30m``."""

from __future__ import annotations

import re

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# The grammar of the API's `expires_in` (src/api): digits alone, or digit-unit groups.
_DURATION = re.compile(r"^(?:\d{1,9}|(?:\d{1,9}[smhd])+)$")
_GROUP = re.compile(r"(\d{1,9})([smhd])")

Duration = int | float | str


def seconds_of(value: Duration, what: str) -> int:
    """Whole seconds of `value` (a number of seconds, or ``"30m"``); ValueError naming `what` if bad."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: a number of seconds or a duration such as '30m', not {value!r}")
    if isinstance(value, (int, float)):
        if value < 0 or value != value:
            raise ValueError(f"{what}: must not be negative, got {value!r}")
        return int(round(value))
    text = value.strip()
    if not _DURATION.match(text):
        raise ValueError(f"{what}: use seconds or a duration such as '90s', '30m', '2h', '1d', not {value!r}")
    if text.isdigit():
        return int(text)
    return sum(int(amount) * _UNIT_SECONDS[unit] for amount, unit in _GROUP.findall(text))
