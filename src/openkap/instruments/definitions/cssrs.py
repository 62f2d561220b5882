"""C-SSRS screener: numbers, neutral labels, skip logic and risk triage (wording via text pack)."""

from __future__ import annotations

from openkap.instruments.model import (
    FlagRule,
    Instrument,
    Item,
    Option,
    RiskRule,
    RiskTier,
    SkipRule,
)

YES_NO = (Option(0, "No"), Option(1, "Yes"))
BEHAVIOUR = (
    Option(0, "No"),
    Option(1, "Yes, more than 3 months ago"),
    Option(2, "Yes, within the past 3 months"),
)

CSSRS_SCREENER = Instrument(
    id="cssrs_screener",
    version="1.0.0",
    title="Columbia-Suicide Severity Rating Scale, screener",
    abbreviation="C-SSRS screener",
    respondent="clinician",
    time_frame="Past month (items 1-5); lifetime and past 3 months (item 6)",
    items=(
        Item(1, "Wish to be dead", YES_NO, safety=True),
        Item(2, "Suicidal thoughts", YES_NO, safety=True),
        Item(3, "Thoughts of method", YES_NO, safety=True),
        Item(4, "Intent", YES_NO, safety=True),
        Item(5, "Plan with intent", YES_NO, safety=True),
        Item(6, "Suicidal behaviour", BEHAVIOUR, safety=True),
    ),
    citation=(
        "Posner K, Brown GK, Stanley B, et al. The Columbia-Suicide Severity Rating Scale: initial "
        "validity and internal consistency findings from three multisite studies with adolescents "
        "and adults. Am J Psychiatry. 2011;168(12):1266-1277."
    ),
    licence=(
        "Electronic use of the C-SSRS item wording is licensed separately by the Columbia "
        "Lighthouse Project; the deploying clinic supplies it in an instrument text pack."
    ),
    licence_note="Licensed electronic wording: load via text pack",
    wording_included=False,
    total="none",
    skips=(SkipRule(when_item=2, equals=0, skip=(3, 4, 5)),),
    risk=RiskRule(
        tiers=(
            RiskTier("high", ((4, 1), (5, 1), (6, 2))),
            RiskTier("moderate", ((3, 1), (6, 1))),
            RiskTier("low", ((1, 1), (2, 1))),
        ),
        source=(
            "C-SSRS screener triage: high = yes to 4 or 5, or behaviour in the past 3 months; "
            "moderate = yes to 3, or behaviour more than 3 months ago; low = yes to 1 or 2 only."
        ),
    ),
    flags=(
        FlagRule("suicide_risk", ">=", 1, item=1, reason="wish to be dead"),
        FlagRule("suicide_risk", ">=", 1, item=2, reason="suicidal thoughts"),
        FlagRule("suicide_risk", ">=", 1, item=6, reason="suicidal behaviour"),
    ),
    notes=(
        "There is no total; the result is a risk level. Any yes raises the suicide_risk flag.",
        "The full C-SSRS has LOINC panel 93245-9; it is not applied to this screener.",
    ),
)
