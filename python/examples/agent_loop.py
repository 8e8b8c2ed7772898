"""An agent's loop in miniature: write code, run its tests, read the failure, fix it, run again.

The "model" here is `propose_fix`, which knows one fix; a real agent sends the same two things (the
code and the test output) to an LLM there. Everything else is what such an agent does with a
sandbox: the code it writes never runs on your machine.

    python3 examples/agent_loop.py          # AETHER_URL / AETHER_TOKEN, or the key `aether up` saved
"""

from __future__ import annotations

import sys

from aetherium import Sandbox

BUGGY_CODE = """\
def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
"""

TESTS = """\
import unittest

from stats import median


class MedianTest(unittest.TestCase):
    def test_odd_count(self):
        self.assertEqual(median([3, 1, 2]), 2)

    def test_even_count(self):
        self.assertEqual(median([4, 1, 3, 2]), 2.5)


if __name__ == "__main__":
    unittest.main()
"""


def propose_fix(code: str, test_output: str) -> str:
    """Where an agent would ask its model: given the code and why its tests failed, new code."""
    if "test_even_count" in test_output and "ordered[len(ordered) // 2]" in code:
        return """\
def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
"""
    return code


def main() -> int:
    with Sandbox.create(ttl="15m") as sb:
        sb.files.write("project/stats.py", BUGGY_CODE)
        sb.files.write("project/test_stats.py", TESTS)
        for attempt in range(1, 4):
            result = sb.commands.run("cd project && python3 -m unittest -v", timeout=120)
            print(f"attempt {attempt}: tests exited {result.exit_code}")
            if result.exit_code == 0:
                print("green: " + result.stderr.strip().splitlines()[-1])
                return 0
            failure = result.stderr
            print(
                "failure seen by the agent:\n" + "\n".join("  " + line for line in failure.splitlines()[-8:])
            )
            code = sb.files.read("project/stats.py")
            fixed = propose_fix(code, failure)
            if fixed == code:
                print("no fix proposed; giving up")
                return 1
            sb.files.write("project/stats.py", fixed)
        return 1


if __name__ == "__main__":
    sys.exit(main())
