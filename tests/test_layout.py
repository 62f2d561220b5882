"""The layout rule of docs/architecture.md: no folder under src/ holds more than 15 modules at one
level; a domain that grows past it becomes sub-packages."""

from pathlib import Path

import openkap

LIMIT = 15
SOURCE = Path(openkap.__file__).parent


def _modules_by_folder() -> dict[str, int]:
    folders = {SOURCE, *(path.parent for path in SOURCE.rglob("*.py"))}
    return {
        str(folder.relative_to(SOURCE)): len(list(folder.glob("*.py")))
        for folder in folders
        if "__pycache__" not in folder.parts
    }


def test_the_walk_sees_every_package():
    folders = _modules_by_folder()
    assert {".", "core", "dosing", "dosing/chair", "plans/treatment"} <= set(folders)


def test_no_folder_holds_more_than_fifteen_modules():
    over = {name: count for name, count in _modules_by_folder().items() if count > LIMIT}
    assert over == {}, f"split these into sub-packages: {over}"
