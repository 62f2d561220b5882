"""Look-up of instrument definitions by id."""

from __future__ import annotations

from openkap.instruments.definitions import REGISTRY
from openkap.instruments.errors import UnknownInstrument
from openkap.instruments.model import Instrument
from openkap.instruments.textpack import TextPack, apply_text_pack


def get_instrument(instrument_id: str, *, text_pack: TextPack | None = None) -> Instrument:
    """Return the instrument with this id, with a text pack's wording applied if given."""
    try:
        instrument = REGISTRY[instrument_id]
    except KeyError:
        raise UnknownInstrument(instrument_id, tuple(REGISTRY)) from None
    if text_pack is None:
        return instrument
    return apply_text_pack(instrument, text_pack)


def list_instruments() -> tuple[Instrument, ...]:
    """Return every built-in instrument in registry order."""
    return tuple(REGISTRY.values())


def resolve(instrument: str | Instrument) -> Instrument:
    """Accept an id or an Instrument and return the Instrument."""
    return instrument if isinstance(instrument, Instrument) else get_instrument(instrument)
