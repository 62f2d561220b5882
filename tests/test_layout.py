"""The layout rule of docs/architecture.md: no folder under src/ holds more than 15 modules at one
level. The folders still over it are named here until they are split into sub-packages; a folder
split within the limit must leave this list, so the list only shrinks."""

from pathlib import Path

import openkap

LIMIT = 15
SOURCE = Path(openkap.__file__).parent
NOT_YET_SPLIT = {
    "core",
}


def _modules_by_folder() -> dict[str, int]:
    folders = {SOURCE, *(path.parent for path in SOURCE.rglob("*.py"))}
    return {
        str(folder.relative_to(SOURCE)): len(list(folder.glob("*.py")))
        for folder in folders
        if "__pycache__" not in folder.parts
    }


def test_no_folder_holds_more_than_fifteen_modules():
    over = {name for name, count in _modules_by_folder().items() if count > LIMIT}
    assert over - NOT_YET_SPLIT == set(), f"split these into sub-packages: {over - NOT_YET_SPLIT}"


def test_a_folder_split_within_the_limit_leaves_the_list():
    within = {name for name, count in _modules_by_folder().items() if count <= LIMIT}
    assert within & NOT_YET_SPLIT == set()
