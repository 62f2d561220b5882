"""MOAA/S, the Modified Observer's Assessment of Alertness/Sedation (anchors shipped)."""

from __future__ import annotations

from openkap.instruments.model import Band, FlagRule, Instrument, Item, Option

_ANCHORS = (
    "No response after painful trapezius squeeze",
    "Responds only after painful trapezius squeeze",
    "Responds only after mild prodding or shaking",
    "Responds only after name is called loudly and/or repeatedly",
    "Lethargic response to name spoken in normal tone",
    "Responds readily to name spoken in normal tone",
)

MOAAS = Instrument(
    id="moaas",
    version="1.0.0",
    title="Modified Observer's Assessment of Alertness/Sedation",
    abbreviation="MOAA/S",
    respondent="observer",
    time_frame="At the time of observation",
    items=(
        Item(
            1,
            "Responsiveness",
            tuple(Option(value, anchor) for value, anchor in enumerate(_ANCHORS)),
            text="Level of responsiveness (5 = alert, 0 = unresponsive)",
        ),
    ),
    citation=(
        "Chernik DA, Gillings D, Laine H, et al. Validity and reliability of the Observer's "
        "Assessment of Alertness/Sedation Scale: study with intravenous midazolam. "
        "J Clin Psychopharmacol. 1990;10(4):244-251."
    ),
    licence=(
        "Anchor descriptions are short clinical facts from Chernik et al. (1990), reproduced "
        "with attribution."
    ),
    licence_note="Published anchors, reproduced with attribution",
    wording_included=True,
    bands=(
        Band(0, 0, "unresponsive"),
        Band(1, 1, "deep sedation"),
        Band(2, 3, "moderate sedation"),
        Band(4, 4, "minimal sedation"),
        Band(5, 5, "alert"),
    ),
    flags=(FlagRule("moderate_sedation", "<=", 3, reason="MOAA/S <= 3: moderate or deeper"),),
    notes=(
        "Higher is more alert. The total is the single rating; discharge requires 5.",
        "Band labels are OpenKAP conventions aligned with the <= 3 moderate-sedation threshold.",
    ),
)
