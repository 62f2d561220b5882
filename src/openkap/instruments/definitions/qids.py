"""QIDS-SR16: numbers, neutral labels and scoring only; licensed wording comes from a text pack."""

from __future__ import annotations

from openkap.instruments.definitions._common import numeric_options
from openkap.instruments.model import Band, EitherOr, FlagRule, Instrument, Item, Subscale

_LABELS = (
    "Sleep onset",
    "Night waking",
    "Early waking",
    "Sleeping too much",
    "Mood",
    "Appetite decreased",
    "Appetite increased",
    "Weight decreased",
    "Weight increased",
    "Concentration",
    "Self-view",
    "Thoughts of death",
    "Interest",
    "Energy",
    "Slowed down",
    "Restlessness",
)

_OPTIONS = numeric_options(0, 3)

# The nine DSM symptom domains; multi-item domains score the highest item (Rush et al. 2003).
DOMAINS = (
    Subscale("sleep", (1, 2, 3, 4), "max", "Sleep disturbance"),
    Subscale("sad_mood", (5,), "max", "Sad mood"),
    Subscale("appetite_weight", (6, 7, 8, 9), "max", "Appetite or weight change"),
    Subscale("concentration", (10,), "max", "Concentration"),
    Subscale("self_view", (11,), "max", "Self-view"),
    Subscale("suicidal_ideation", (12,), "max", "Thoughts of death or suicide"),
    Subscale("interest", (13,), "max", "General interest"),
    Subscale("energy", (14,), "max", "Energy"),
    Subscale("psychomotor", (15, 16), "max", "Psychomotor slowing or agitation"),
)

QIDS_SR16 = Instrument(
    id="qids_sr16",
    version="1.0.0",
    title="Quick Inventory of Depressive Symptomatology, Self-Report (16 items)",
    abbreviation="QIDS-SR16",
    respondent="patient",
    time_frame="Past 7 days",
    items=tuple(
        Item(n, label, _OPTIONS, safety=n == 12) for n, label in enumerate(_LABELS, start=1)
    ),
    citation=(
        "Rush AJ, Trivedi MH, Ibrahim HM, et al. The 16-Item Quick Inventory of Depressive "
        "Symptomatology (QIDS), clinician rating (QIDS-C), and self-report (QIDS-SR): a "
        "psychometric evaluation in patients with chronic major depression. Biol Psychiatry. "
        "2003;54(5):573-583."
    ),
    licence=(
        "Copyrighted wording (IDS/QIDS, UT Southwestern Medical Center) is not distributed with "
        "OpenKAP; load it from an instrument text pack under the clinic's own terms."
    ),
    licence_note="Copyrighted wording: load via text pack",
    wording_included=False,
    total="subscales",
    bands=(
        Band(0, 5, "none"),
        Band(6, 10, "mild"),
        Band(11, 15, "moderate"),
        Band(16, 20, "severe"),
        Band(21, 27, "very severe"),
    ),
    subscales=DOMAINS,
    flags=(
        FlagRule(
            "suicide_risk", ">=", 1, item=12, reason="item 12 (thoughts of death) >= 1: review"
        ),
    ),
    # The paper form asks for either item 6 or 7, and either item 8 or 9, so one may be blank.
    either_or=(EitherOr((6, 7)), EitherOr((8, 9))),
    notes=(
        "Prorating is not offered: domains score the highest of their items, so a missing item "
        "cannot be estimated from the others.",
    ),
)
