"""The protocol templates every clinic starts with, seeded on first use.

Every number is a default from docs/clinical-reference.md ("Administration protocols") that a
clinic changes by saving a new version; docs/plans.md explains each choice.
"""

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.plans.models import DoseUnit, Drug, ProtocolTemplate, Route

MONITORING_MINUTES = [0, 15, 30, 40, 60, 90, 120]

DEFAULT_TEMPLATES: list[dict[str, Any]] = [
    {
        "key": "iv_racemic",
        "name": "IV racemic ketamine, 0.5 mg/kg over 40 minutes, 6 infusions",
        "route": Route.iv.value,
        "drug": Drug.racemic_ketamine.value,
        "weight_based": True,
        "bounds_unit": DoseUnit.mg_per_kg.value,
        "start_dose": Decimal("0.5"),
        "min_dose": Decimal("0.1"),
        "max_dose": Decimal("1.0"),
        "max_step": Decimal("0.25"),
        "dose_rounding_mg": Decimal("0.5"),
        "infusion_minutes": 40,
        # The clinical reference's chair guard-rails: 40-100 minutes, at most 0.025 mg/kg/min.
        "infusion_minutes_min": 40,
        "infusion_minutes_max": 100,
        "max_rate_mg_per_kg_min": Decimal("0.025"),
        "dosing_sessions": 6,
        "schedule": {
            "phases": [{"weeks": 3, "per_week": 2, "every_weeks": 1, "label": "Induction"}],
            "preparation_lead_days": 7,
        },
        "source": (
            "Andrade C. Ketamine for depression, 4: in what dose, at what rate, by what route, "
            "for how long, and at what frequency? J Clin Psychiatry 2017;78(7):e852-e857. "
            "ELEKT-D: Anand A et al. N Engl J Med 2023;388:2315-2325 (0.5 mg/kg over 40 min, "
            "twice weekly for 3 weeks). ORKA-1 (Osmind, community IV practices). "
            "Range 0.1-0.75 mg/kg, some programmes up to 1.0 (the OpenKAP clinical reference)."
        ),
    },
    {
        "key": "im_racemic",
        "name": "IM racemic ketamine, 0.5 mg/kg, 6 weekly sessions",
        "route": Route.im.value,
        "drug": Drug.racemic_ketamine.value,
        "weight_based": True,
        "bounds_unit": DoseUnit.mg_per_kg.value,
        "start_dose": Decimal("0.5"),
        "min_dose": Decimal("0.25"),
        "max_dose": Decimal("1.0"),
        "max_step": Decimal("0.25"),
        "dose_rounding_mg": Decimal("0.5"),
        "dosing_sessions": 6,
        "schedule": {
            "phases": [{"weeks": 6, "per_week": 1, "every_weeks": 1, "label": "Weekly"}],
            "preparation_lead_days": 7,
        },
        "source": (
            "KAP practice reports (OpenKAP clinical reference): 0.5-0.75 mg/kg typical "
            "(a trial capped 60 mg); "
            "higher 'psychedelic' doses of about 1-2 mg/kg in some KAP programmes, which here "
            "need a prescriber's override above 1.0 mg/kg. Often weekly with preparation and "
            "integration between sessions."
        ),
    },
    {
        "key": "intranasal_esketamine",
        "name": "Intranasal esketamine (Spravato), label induction and early maintenance",
        "route": Route.intranasal.value,
        "drug": Drug.esketamine.value,
        "weight_based": False,
        "bounds_unit": DoseUnit.mg.value,
        "start_dose": Decimal("56"),
        "older_adult_start_dose": Decimal("28"),
        "min_dose": Decimal("28"),
        "max_dose": Decimal("84"),
        "max_step": Decimal("28"),
        "dose_rounding_mg": Decimal("28"),
        "dosing_sessions": 12,
        "schedule": {
            "phases": [
                {"weeks": 4, "per_week": 2, "every_weeks": 1, "label": "Induction (weeks 1-4)"},
                {
                    "weeks": 4,
                    "per_week": 1,
                    "every_weeks": 1,
                    "label": "Maintenance (weeks 5-8)",
                },
            ],
            "preparation_lead_days": 7,
        },
        "source": (
            "SPRAVATO (esketamine) nasal spray, US prescribing information: day 1 56 mg "
            "(28 mg for patients 65 and over), then 56 or 84 mg; weeks 1-4 twice weekly, "
            "weeks 5-8 weekly, week 9 on weekly or every 2 weeks; 28 mg per device, 5 minutes "
            "between devices; at least 2 hours of monitoring; esketamine REMS."
        ),
    },
    {
        "key": "sublingual_racemic",
        "name": "Sublingual racemic ketamine (RDT/lozenge), about 5 mg/kg, 100-450 mg",
        "route": Route.sublingual.value,
        "drug": Drug.racemic_ketamine.value,
        "weight_based": True,
        "bounds_unit": DoseUnit.mg.value,
        "start_dose": Decimal("5"),
        "min_dose": Decimal("100"),
        "max_dose": Decimal("450"),
        "max_step": Decimal("100"),
        "dose_rounding_mg": Decimal("25"),
        "dosing_sessions": 4,
        "schedule": {
            "phases": [{"weeks": 4, "per_week": 1, "every_weeks": 1, "label": "Weekly"}],
            "preparation_lead_days": 7,
        },
        "source": (
            "Dore J et al. Ketamine assisted psychotherapy (KAP): patient demographics, clinical "
            "data and outcomes in three large practices administering ketamine with "
            "psychotherapy. J Psychoactive Drugs 2019;51(2):189-198. Hull TD et al. At-home, "
            "sublingual ketamine telehealth is a safe and effective treatment for moderate to "
            "severe anxiety and depression. J Affect Disord 2022;314:59-67. Dose 100-450 mg, "
            "about 5 mg/kg to start (the OpenKAP clinical reference)."
        ),
    },
]

_COMMON: dict[str, Any] = {
    "monitoring_minutes": MONITORING_MINUTES,
    "preparation_sessions": 1,
    "integration_within_hours": 72,
    "weight_max_age_days": 30,
    "older_adult_start_dose": None,
    "infusion_minutes": None,
    "infusion_minutes_min": None,
    "infusion_minutes_max": None,
    "max_rate_mg_per_kg_min": None,
    "iv_concentration_mg_per_ml": None,
}


def default_template_values(key: str) -> dict[str, Any]:
    """Return the full field values of one default template."""
    spec = next(t for t in DEFAULT_TEMPLATES if t["key"] == key)
    return {**_COMMON, **spec}


def ensure_default_templates(session: Session, *, organization_id: uuid.UUID) -> None:
    """Seed the default protocol templates a clinic does not have yet."""
    present = set(
        session.scalars(
            select(ProtocolTemplate.key).where(ProtocolTemplate.organization_id == organization_id)
        )
    )
    missing = [t["key"] for t in DEFAULT_TEMPLATES if t["key"] not in present]
    if not missing:
        return
    try:
        # Two first requests of a clinic may race to seed; the loser keeps the winner's rows.
        with session.begin_nested():
            for key in missing:
                session.add(
                    ProtocolTemplate(
                        organization_id=organization_id,
                        version=1,
                        is_current=True,
                        change_note="Default template",
                        **default_template_values(key),
                    )
                )
    except IntegrityError:
        return
