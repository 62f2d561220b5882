"""CADSS (23 items) and CADSS-6: numbers, neutral labels and scoring only."""

from __future__ import annotations

from openkap.instruments.definitions._common import numeric_options
from openkap.instruments.model import FlagRule, Instrument, Item, Subscale

_OPTIONS = numeric_options(0, 4)

# Items of the 23-item CADSS that make up the CADSS-6 (Rodrigues et al. 2021).
CADSS6_SOURCE_ITEMS = (1, 2, 6, 7, 15, 22)

_BREMNER = (
    "Bremner JD, Krystal JH, Putnam FW, et al. Measurement of dissociative states with the "
    "Clinician-Administered Dissociative States Scale (CADSS). J Trauma Stress. 1998;11(1):125-136."
)
_RODRIGUES = (
    "Rodrigues NB, McIntyre RS, Lipsitz O, et al. A simplified 6-item clinician administered "
    "dissociative symptom scale (CADSS-6) for monitoring dissociative effects of sub-anesthetic "
    "ketamine infusions. J Affect Disord. 2021;282:160-164."
)
_LICENCE = (
    "Item wording is not distributed with OpenKAP; the clinic supplies it in an instrument text "
    "pack under its own terms."
)

CADSS = Instrument(
    id="cadss",
    version="1.0.0",
    title="Clinician-Administered Dissociative States Scale (23 items)",
    abbreviation="CADSS",
    respondent="clinician",
    time_frame="Current state (during or after dosing)",
    items=tuple(Item(n, f"Dissociative state item {n}", _OPTIONS) for n in range(1, 24)),
    citation=_BREMNER,
    licence=_LICENCE,
    licence_note="Wording not shipped: load via text pack",
    wording_included=False,
    subscales=(
        Subscale(
            "cadss6", CADSS6_SOURCE_ITEMS, label="CADSS-6 subscore (items 1, 2, 6, 7, 15, 22)"
        ),
    ),
    flags=(FlagRule("dissociation", ">", 4, reason="CADSS total > 4"),),
    prorating=True,
    notes=("No severity bands are defined; a total above 4 counts as dissociation.",),
)

CADSS6 = Instrument(
    id="cadss6",
    version="1.0.0",
    title="Clinician-Administered Dissociative States Scale, 6-item short form",
    abbreviation="CADSS-6",
    respondent="clinician",
    time_frame="Current state (during or after dosing)",
    items=tuple(
        Item(n, f"CADSS item {source}", _OPTIONS)
        for n, source in enumerate(CADSS6_SOURCE_ITEMS, start=1)
    ),
    citation=f"{_RODRIGUES} Items from: {_BREMNER}",
    licence=_LICENCE,
    licence_note="Wording not shipped: load via text pack",
    wording_included=False,
    prorating=True,
    notes=(
        "No validated cut-off exists for the CADSS-6, so no dissociation flag is raised; use the "
        "23-item CADSS when the > 4 rule is needed.",
    ),
)
