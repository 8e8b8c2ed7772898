"""The SDK's wire types are generated from the gateway's OpenAPI document; they must not drift."""

from __future__ import annotations

import difflib
import importlib.util
import json
import sys
import urllib.request
from pathlib import Path
from types import ModuleType

from conftest import Gateway

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_types", PACKAGE_ROOT / "scripts" / "generate_types.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


def test_generated_types_match_the_live_document(gateway: Gateway) -> None:
    with urllib.request.urlopen(f"{gateway.url}/api/v1/openapi.json", timeout=30) as answer:
        document = json.loads(answer.read())
    expected = generator().render(document)
    committed = (PACKAGE_ROOT / "aetherium" / "_api_types.py").read_text(encoding="utf-8")
    if committed != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    "aetherium/_api_types.py (committed)",
                    "generated from the gateway's document",
                )
            )[:80]
        )
        raise AssertionError(
            "aetherium/_api_types.py is not what the gateway's OpenAPI document gives; regenerate it with\n"
            f"  python3 python/scripts/generate_types.py {gateway.url}/api/v1/openapi.json"
            " -o python/aetherium/_api_types.py\n" + diff
        )
