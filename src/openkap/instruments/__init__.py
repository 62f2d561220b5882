"""Measurement instruments: definitions, scoring, batch scoring and change metrics.

A pure library: no database, no web, and no imports from other OpenKAP packages.
"""

from openkap.instruments.batch import MISSING, BatchScores, score_many
from openkap.instruments.change import (
    RCI_CRITICAL,
    ChangeResult,
    change,
    change_defaults,
    reliable_change_index,
)
from openkap.instruments.change_defaults import (
    RESPONSE_REDUCTION,
    ChangeDefaults,
    CitedValue,
    RciParameters,
    RemissionRule,
)
from openkap.instruments.errors import (
    InstrumentError,
    InvalidAnswers,
    InvalidChangeInput,
    TextPackError,
    UnknownInstrument,
)
from openkap.instruments.model import (
    RISK_LEVELS,
    Band,
    Instrument,
    Item,
    Option,
    Score,
    Subscale,
)
from openkap.instruments.registry import get_instrument, list_instruments
from openkap.instruments.scoring import score
from openkap.instruments.textpack import TextPack, apply_text_pack, load_text_pack, parse_text_pack
from openkap.instruments.validation import MAX_MISSING_PERCENT, prorate_limit

__all__ = [
    "MAX_MISSING_PERCENT",
    "MISSING",
    "RCI_CRITICAL",
    "RESPONSE_REDUCTION",
    "RISK_LEVELS",
    "Band",
    "BatchScores",
    "ChangeDefaults",
    "ChangeResult",
    "CitedValue",
    "Instrument",
    "InstrumentError",
    "InvalidAnswers",
    "InvalidChangeInput",
    "Item",
    "Option",
    "RciParameters",
    "RemissionRule",
    "Score",
    "Subscale",
    "TextPack",
    "TextPackError",
    "UnknownInstrument",
    "apply_text_pack",
    "change",
    "change_defaults",
    "get_instrument",
    "list_instruments",
    "load_text_pack",
    "parse_text_pack",
    "prorate_limit",
    "reliable_change_index",
    "score",
    "score_many",
]
