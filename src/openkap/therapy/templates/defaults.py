"""The note templates every clinic starts with, seeded on first use (one per note type).

SOAP (subjective, objective, assessment, plan) suits notes led by what the patient reports;
DAP (data, assessment, plan) suits session notes. Each adds the KAP fields its note needs:
intentions, themes, emotions and insights that emerged, coping techniques practised, homework,
and a structured risk assessment. docs/therapy-notes.md explains each choice.
"""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.therapy.models import NoteForm, NoteTemplate, NoteType

REQUIRED_BY_FORM: dict[str, tuple[str, ...]] = {
    NoteForm.soap.value: ("subjective", "objective", "assessment", "plan"),
    NoteForm.dap.value: ("data", "assessment", "plan"),
}


def _section(
    key: str, label: str, kind: str = "text", *, required: bool = False, hint: str = ""
) -> dict[str, Any]:
    return {"key": key, "label": label, "kind": kind, "required": required, "help": hint}


SUBJECTIVE = _section("subjective", "Subjective", required=True, hint="What the patient reports.")
OBJECTIVE = _section("objective", "Objective", hint="What you observed: affect, presentation.")
DATA = _section("data", "Data", required=True, hint="What happened in the session.")
ASSESSMENT = _section("assessment", "Assessment", required=True)
PLAN = _section("plan", "Plan", required=True)
INTENTIONS = _section("intentions", "Intentions", hint="The patient's intentions, in their words.")
THEMES = _section("themes", "Themes that emerged", "list", hint="One per line.")
EMOTIONS = _section("emotions", "Emotions that emerged", "list", hint="One per line.")
INSIGHTS = _section("insights", "Insights")
COPING = _section("coping_techniques", "Coping techniques practised", "list", hint="One per line.")
HOMEWORK = _section("homework", "Homework", hint="Practice agreed for before the next session.")
RISK = _section("risk_assessment", "Risk assessment", "risk", required=True)


def _dap(*middle: dict[str, Any], after: tuple[dict[str, Any], ...] = ()) -> list[dict[str, Any]]:
    return [DATA, *middle, ASSESSMENT, PLAN, *after]


DEFAULT_TEMPLATES: list[dict[str, Any]] = [
    {
        "key": "preparation",
        "note_type": NoteType.preparation.value,
        "form": NoteForm.soap.value,
        "name": "Preparation session (SOAP)",
        "sections": [
            SUBJECTIVE,
            {**INTENTIONS, "required": True},
            OBJECTIVE,
            ASSESSMENT,
            PLAN,
            COPING,
            HOMEWORK,
            RISK,
        ],
    },
    {
        "key": "dosing_support",
        "note_type": NoteType.dosing_support.value,
        "form": NoteForm.dap.value,
        "name": "Dosing-session support (DAP)",
        "sections": _dap(INTENTIONS, THEMES, EMOTIONS, INSIGHTS, COPING, after=(RISK,)),
    },
    {
        "key": "post_session_processing",
        "note_type": NoteType.post_session_processing.value,
        "form": NoteForm.dap.value,
        "name": "Post-session processing (DAP)",
        "sections": _dap(THEMES, EMOTIONS, INSIGHTS, COPING, after=(HOMEWORK, RISK)),
    },
    {
        "key": "integration",
        "note_type": NoteType.integration.value,
        "form": NoteForm.dap.value,
        "name": "Integration session (DAP)",
        "sections": _dap(THEMES, EMOTIONS, INSIGHTS, COPING, after=(HOMEWORK, RISK)),
    },
    {
        "key": "follow_up",
        "note_type": NoteType.follow_up.value,
        "form": NoteForm.soap.value,
        "name": "Follow-up (SOAP)",
        "sections": [SUBJECTIVE, OBJECTIVE, ASSESSMENT, PLAN, COPING, HOMEWORK, RISK],
    },
    {
        # Kept apart from the medical record: a risk found here is documented in a record note.
        "key": "psychotherapy_process",
        "note_type": NoteType.psychotherapy_process.value,
        "form": NoteForm.dap.value,
        "name": "Psychotherapy process note (DAP, private)",
        "sections": _dap(
            THEMES,
            EMOTIONS,
            _section("reflections", "Reflections and hypotheses"),
        ),
    },
]


def ensure_default_templates(session: Session, *, organization_id: uuid.UUID) -> None:
    """Seed the default note templates a clinic does not have yet."""
    present = set(
        session.scalars(
            select(NoteTemplate.key).where(NoteTemplate.organization_id == organization_id)
        )
    )
    missing = [t for t in DEFAULT_TEMPLATES if t["key"] not in present]
    if not missing:
        return
    try:
        # Two first requests of a clinic may race to seed; the loser keeps the winner's rows.
        with session.begin_nested():
            session.add_all(
                NoteTemplate(
                    organization_id=organization_id,
                    version=1,
                    is_current=True,
                    change_note="Default template",
                    **spec,
                )
                for spec in missing
            )
    except IntegrityError:
        return
