"""Instrument text packs: loading licensed wording, and clear errors naming the bad entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openkap.instruments import (
    TextPackError,
    get_instrument,
    load_text_pack,
    parse_text_pack,
    score,
)


def pack(**instruments: Any) -> dict[str, Any]:
    return {
        "format": "openkap-instrument-text-pack",
        "format_version": 1,
        "name": "Example clinic licensed wording",
        "language": "en",
        "instruments": instruments,
    }


QIDS_ENTRY = {
    "version": "1.0.0",
    "licence": "Licensed to Example Clinic, agreement 42",
    "instructions": "Pick the one response that best describes you.",
    "items": [
        {"number": 1, "text": "Licensed wording for item 1", "options": [
            {"value": 0, "text": "Licensed option 0"}, {"value": 3, "text": "Licensed option 3"}
        ]},
        {"number": 12, "text": "Licensed wording for item 12"},
    ],
}  # fmt: skip


def test_valid_pack_applies_wording_and_keeps_neutral_labels_elsewhere() -> None:
    text_pack = parse_text_pack(pack(qids_sr16=QIDS_ENTRY))
    qids = get_instrument("qids_sr16", text_pack=text_pack)
    assert qids.item(1).text == "Licensed wording for item 1"
    assert [o.label for o in qids.item(1).options] == [
        "Licensed option 0",
        "1",
        "2",
        "Licensed option 3",
    ]
    assert qids.item(2).text is None
    assert qids.item(2).display == "Night waking"
    assert qids.instructions == "Pick the one response that best describes you."
    assert "agreement 42" in qids.licence


def test_pack_wording_does_not_change_scoring() -> None:
    qids = get_instrument("qids_sr16", text_pack=parse_text_pack(pack(qids_sr16=QIDS_ENTRY)))
    answers: list[int | None] = [1] * 16
    assert score(qids, answers) == score("qids_sr16", answers)


def test_pack_without_an_entry_leaves_the_instrument_unchanged() -> None:
    text_pack = parse_text_pack(pack(qids_sr16=QIDS_ENTRY))
    assert get_instrument("madrs", text_pack=text_pack) is get_instrument("madrs")


def test_load_text_pack_reads_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(pack(qids_sr16=QIDS_ENTRY)), encoding="utf-8")
    assert load_text_pack(path).instruments["qids_sr16"].licence.startswith("Licensed")


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"qids": QIDS_ENTRY}, "at instruments.qids: unknown instrument id 'qids'"),
        (
            {"qids_sr16": {**QIDS_ENTRY, "items": [{"number": 17, "text": "x"}]}},
            "at instruments.qids_sr16.items[0]: item number 17 is out of range 1-16",
        ),
        (
            {"qids_sr16": {**QIDS_ENTRY, "items": [{"number": 0, "text": "x"}]}},
            "item number 0 is out of range 1-16",
        ),
        (
            {"madrs": {"licence": "x", "items": [
                {"number": 1, "text": "x"},
                {"number": 2, "text": "y", "options": [{"value": 7, "text": "z"}]},
            ]}},
            "at instruments.madrs.items[1].options[0]: option value 7 is not defined for item 2 "
            "(allowed values: 0, 1, 2, 3, 4, 5, 6)",
        ),
        (
            {"cadss": {"licence": "x", "items": [
                {"number": 3, "text": "a"}, {"number": 3, "text": "b"}]}},
            "at instruments.cadss.items[1]: item number 3 appears twice",
        ),
        (
            {"cssrs_screener": {"licence": "x", "items": [{"number": 6, "text": "a", "options": [
                {"value": 1, "text": "a"}, {"value": 1, "text": "b"}]}]}},
            "options[1]: option value 1 appears twice for item 6",
        ),
        (
            {"qids_sr16": {**QIDS_ENTRY, "version": "0.9.0"}},
            "at instruments.qids_sr16.version: pack wording is for version 0.9.0, "
            "OpenKAP has 1.0.0",
        ),
    ],
)  # fmt: skip
def test_semantic_errors_name_the_bad_entry(entries: dict[str, Any], message: str) -> None:
    with pytest.raises(TextPackError) as caught:
        parse_text_pack(pack(**entries), source="clinic.json")
    assert message in str(caught.value)
    assert str(caught.value).startswith("text pack clinic.json at instruments.")


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({**pack(), "format": "other"}, "at format"),
        ({**pack(), "format_version": 2}, "at format_version"),
        ({**pack(), "colour": "red"}, "at colour"),
        ({**pack(qids_sr16={**QIDS_ENTRY, "licence": ""})}, "at instruments.qids_sr16.licence"),
        (
            pack(qids_sr16={**QIDS_ENTRY, "items": [{"number": "1", "text": "x"}]}),
            "items[0].number",
        ),
        (pack(qids_sr16={**QIDS_ENTRY, "items": [{"number": 1}]}), "items[0].text"),
        ([1, 2], "at top level"),
    ],
)
def test_structural_errors_name_the_field(data: object, location: str) -> None:
    with pytest.raises(TextPackError, match=location.replace("[", r"\[").replace("]", r"\]")):
        parse_text_pack(data)


def test_unreadable_and_malformed_files_raise_text_pack_errors(tmp_path: Path) -> None:
    with pytest.raises(TextPackError, match="cannot be read"):
        load_text_pack(tmp_path / "absent.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(TextPackError, match="is not valid UTF-8 JSON"):
        load_text_pack(broken)
