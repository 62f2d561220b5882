"""Instrument text packs: a clinic's licensed item wording, loaded from JSON and validated.

Format (see docs/instruments.md)::

    {"format": "openkap-instrument-text-pack", "format_version": 1, "name": "...",
     "language": "en",
     "instruments": {"qids_sr16": {"version": "1.0.0", "licence": "...",
                                   "items": [{"number": 1, "text": "...",
                                              "options": [{"value": 0, "text": "..."}]}]}}}
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from openkap.instruments.definitions import REGISTRY
from openkap.instruments.errors import TextPackError
from openkap.instruments.model import Instrument, Item, Option

FORMAT_NAME = "openkap-instrument-text-pack"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionText(_Strict):
    """Wording of one answer option."""

    value: StrictInt
    text: StrictStr = Field(min_length=1)


class ItemText(_Strict):
    """Wording of one item and, optionally, of its options."""

    number: StrictInt
    text: StrictStr = Field(min_length=1)
    options: tuple[OptionText, ...] = ()


class InstrumentText(_Strict):
    """Wording for one instrument; `version`, when given, must match the definition."""

    licence: StrictStr = Field(min_length=1)
    version: StrictStr | None = None
    title: StrictStr | None = None
    instructions: StrictStr | None = None
    items: tuple[ItemText, ...] = ()


class TextPack(_Strict):
    """A validated text pack."""

    format: Literal["openkap-instrument-text-pack"]
    format_version: Literal[1]
    name: StrictStr = Field(min_length=1)
    language: StrictStr = "en"
    instruments: dict[str, InstrumentText]


def load_text_pack(path: str | Path) -> TextPack:
    """Read and validate a text pack file."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TextPackError(str(file), f"cannot be read: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TextPackError(str(file), f"is not valid UTF-8 JSON: {exc}") from exc
    return parse_text_pack(data, source=str(file))


def parse_text_pack(data: object, *, source: str = "<data>") -> TextPack:
    """Validate already-decoded JSON as a text pack against the instrument registry."""
    try:
        pack = TextPack.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise TextPackError(f"{source} at {_location(first['loc'])}", first["msg"]) from None
    for instrument_id, entry in pack.instruments.items():
        _check_entry(source, instrument_id, entry)
    return pack


def _location(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "top level"


def _check_entry(source: str, instrument_id: str, entry: InstrumentText) -> None:
    where = f"{source} at instruments.{instrument_id}"
    instrument = REGISTRY.get(instrument_id)
    if instrument is None:
        raise TextPackError(
            where, f"unknown instrument id {instrument_id!r}; known: {', '.join(REGISTRY)}"
        )
    if entry.version is not None and entry.version != instrument.version:
        raise TextPackError(
            f"{where}.version",
            f"pack wording is for version {entry.version}, OpenKAP has {instrument.version}",
        )
    seen: set[int] = set()
    for index, item_text in enumerate(entry.items):
        _check_item(f"{where}.items[{index}]", instrument, item_text, seen)


def _check_item(where: str, instrument: Instrument, item_text: ItemText, seen: set[int]) -> None:
    count = len(instrument.items)
    if not 1 <= item_text.number <= count:
        raise TextPackError(where, f"item number {item_text.number} is out of range 1-{count}")
    if item_text.number in seen:
        raise TextPackError(where, f"item number {item_text.number} appears twice")
    seen.add(item_text.number)
    item = instrument.item(item_text.number)
    values: set[int] = set()
    for index, option in enumerate(item_text.options):
        if option.value not in item.values or option.value in values:
            problem = "appears twice" if option.value in values else "is not defined"
            raise TextPackError(
                f"{where}.options[{index}]",
                f"option value {option.value} {problem} for item {item.number} "
                f"(allowed values: {', '.join(str(v) for v in item.values)})",
            )
        values.add(option.value)


def apply_text_pack(instrument: Instrument, pack: TextPack) -> Instrument:
    """Return the instrument with the pack's wording applied (unchanged if the pack lacks it)."""
    entry = pack.instruments.get(instrument.id)
    if entry is None:
        return instrument
    worded = {item_text.number: item_text for item_text in entry.items}
    return dataclasses.replace(
        instrument,
        title=entry.title or instrument.title,
        instructions=entry.instructions or instrument.instructions,
        licence=f"{instrument.licence} Wording: {entry.licence}",
        items=tuple(_apply_item(item, worded.get(item.number)) for item in instrument.items),
    )


def _apply_item(item: Item, item_text: ItemText | None) -> Item:
    if item_text is None:
        return item
    labels: Mapping[int, str] = {option.value: option.text for option in item_text.options}
    options = tuple(
        Option(option.value, labels.get(option.value, option.label), option.loinc)
        for option in item.options
    )
    return dataclasses.replace(item, text=item_text.text, options=options)
