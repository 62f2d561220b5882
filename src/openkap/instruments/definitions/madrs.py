"""MADRS: clinician-rated; numbers, neutral labels and scoring only (wording via a text pack)."""

from __future__ import annotations

from openkap.instruments.definitions._common import numeric_options
from openkap.instruments.model import Band, FlagRule, Instrument, Item

_LABELS = (
    "Observed sadness",
    "Reported sadness",
    "Tension",
    "Sleep",
    "Appetite",
    "Concentration",
    "Initiative",
    "Emotional response",
    "Pessimism",
    "Thoughts of suicide",
)

_OPTIONS = numeric_options(0, 6)

MADRS = Instrument(
    id="madrs",
    version="1.0.0",
    title="Montgomery-\u00c5sberg Depression Rating Scale",
    abbreviation="MADRS",
    respondent="clinician",
    time_frame="Past week (clinician interview)",
    items=tuple(
        Item(n, label, _OPTIONS, safety=n == 10) for n, label in enumerate(_LABELS, start=1)
    ),
    citation=(
        "Montgomery SA, \u00c5sberg M. A new depression scale designed to be sensitive to change. "
        "Br J Psychiatry. 1979;134:382-389."
    ),
    licence=(
        "Item wording and anchor descriptions are not distributed with OpenKAP; the clinic "
        "supplies them in an instrument text pack under its own terms."
    ),
    licence_note="Wording not shipped: load via text pack",
    wording_included=False,
    bands=(
        Band(0, 6, "normal"),
        Band(7, 19, "mild"),
        Band(20, 34, "moderate"),
        Band(35, 60, "severe"),
    ),
    flags=(
        FlagRule(
            "suicide_risk", ">=", 4, item=10, reason="item 10 (thoughts of suicide) >= 4: alert"
        ),
    ),
    prorating=True,
)
