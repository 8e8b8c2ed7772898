"""A CI job in a sandbox: upload a project, run its tests there, exit with their status.

    python3 examples/ci.py path/to/project [test command]

The test command runs in the project's copy inside the VM (default ``python3 -m unittest discover
-v``); its output streams here as it is printed, stdout to stdout and stderr to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aetherium import Sandbox


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="the directory to test")
    parser.add_argument(
        "command", nargs="?", default="python3 -m unittest discover -v", help="run in the project"
    )
    args = parser.parse_args(argv)
    if not args.project.is_dir():
        parser.error(f"{args.project} is not a directory")

    with Sandbox.create(ttl="1h", labels={"job": "ci"}) as sb:
        uploaded = sb.files.upload(args.project, "project")
        print(
            f"uploaded {uploaded['files']} files ({uploaded['bytes']} bytes) to sandbox {sb.name}",
            file=sys.stderr,
        )
        result = sb.commands.run(
            f"cd project && {args.command}",
            on_stdout=lambda text: print(text, end="", flush=True),
            on_stderr=lambda text: print(text, end="", file=sys.stderr, flush=True),
            timeout=1800,
        )
    if result.exit_code is None:
        print(f"the tests did not finish: {result.outcome}", file=sys.stderr)
        return 1
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
