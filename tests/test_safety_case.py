"""The hazard log names only tests that exist, and every hazard names at least one."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAFETY_CASE = ROOT / "docs" / "safety-case.md"
TEST_NODE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _hazards() -> dict[str, str]:
    """Each hazard's heading and its text, in the order of the log."""
    parts = re.split(r"^## ", SAFETY_CASE.read_text(), flags=re.MULTILINE)[1:]
    return {part.splitlines()[0]: part for part in parts}


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_hazard_names_a_cause_control_place_override_and_tests():
    hazards = _hazards()
    assert len(hazards) >= 7
    for heading, text in hazards.items():
        for part in ("**Cause**", "**Control**", "**Enforced in**", "**Override**", "**Tests**"):
            assert part in text, f"{heading}: no {part}"
        assert TEST_NODE.search(text), f"{heading} names no test"


def test_every_test_the_hazard_log_names_exists():
    missing = []
    for heading, text in _hazards().items():
        for file, name in TEST_NODE.findall(text):
            path = ROOT / file
            if not path.is_file() or name not in _test_functions(path):
                missing.append(f"{heading}: {file}::{name}")
    assert missing == []
