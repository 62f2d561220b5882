"""Suicide-risk answers: recognised by the instrument's own flag rules, alerted at once.

An answer is a risk answer when, on its own, it raises the instrument's `suicide_risk` flag
(PHQ-9 item 9 >= 1, QIDS-SR16 item 12 >= 1): the rule, threshold and source stay in
openkap.instruments. The alert is raised when the answer is saved, not when the questionnaire
is sent, and once per questionnaire.
"""

import logging
import uuid

from sqlalchemy.orm import Session

from openkap.assessments.schemas import SUICIDE_RISK_FLAG
from openkap.core.audit import chain as audit
from openkap.core.time import utcnow
from openkap.instruments import Instrument
from openkap.instruments.scoring import flags_raised
from openkap.portal import contracts
from openkap.portal.access import PortalPatient
from openkap.portal.models import PortalDraft

ALERT_KIND = "suicide_risk"
logger = logging.getLogger("openkap.portal")


def is_risk_answer(instrument: Instrument, number: int, value: int | None) -> bool:
    """Tell whether this one answer raises the instrument's suicide-risk flag."""
    if value is None:
        return False
    alone = tuple(value if item.number == number else None for item in instrument.items)
    # Without a total only the item rules are evaluated, which is what one answer can show.
    return SUICIDE_RISK_FLAG in flags_raised(instrument, alone, None)


def first_risk_answer(
    instrument: Instrument, answers: dict[str, int | None]
) -> tuple[int, int] | None:
    """Return the first (item, value) of a draft's answers that is a risk answer, if any."""
    for item in instrument.items:
        value = answers.get(str(item.number))
        if value is not None and is_risk_answer(instrument, item.number, value):
            return item.number, value
    return None


def _option_label(instrument: Instrument, number: int, value: int) -> str:
    options = {option.value: option.label for option in instrument.item(number).options}
    return options.get(value, str(value))


def _evidence(
    instrument: Instrument, draft: PortalDraft, number: int, value: int
) -> dict[str, object]:
    return {
        "source": "portal",
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "item": number,
        "item_label": instrument.item(number).label,
        "value": value,
        "answer_label": _option_label(instrument, number, value),
        "portal_draft_id": str(draft.id),
        "due_id": str(draft.due_id),
    }


def raise_risk_alert(
    session: Session,
    *,
    portal: PortalPatient,
    draft: PortalDraft,
    instrument: Instrument,
    number: int,
    value: int,
) -> uuid.UUID:
    """Raise the urgent alert for a risk answer, unless this questionnaire already raised one."""
    if draft.risk_alert_id is not None:
        return draft.risk_alert_id
    label = _option_label(instrument, number, value)
    message = (
        f"{instrument.abbreviation} item {number} ({instrument.item(number).label}) answered "
        f'"{label}" ({value}) in the patient portal; the crisis message was shown.'
    )
    alert_id = contracts.raise_urgent_alert(
        session,
        patient_id=portal.patient_id,
        episode_id=draft.episode_id,
        kind=ALERT_KIND,
        message=message,
        evidence=_evidence(instrument, draft, number, value),
        by=portal.principal,
    )
    draft.risk_alert_id, draft.risk_raised_at = alert_id, utcnow()
    audit.record(
        session,
        actor=portal.principal.actor,
        action="portal.risk_alert",
        resource_type="portal_draft",
        resource_id=draft.id,
        patient_id=portal.patient_id,
        detail=f"{instrument.id} item {number}; alert {alert_id}",
    )
    return alert_id


def alert_without_blocking(
    session: Session,
    *,
    portal: PortalPatient,
    draft: PortalDraft,
    instrument: Instrument,
    number: int,
    value: int,
) -> uuid.UUID | None:
    """Raise the alert, never letting a failure of the alerts store hide the crisis message.

    A failure is logged and audited; the alert is tried again at the next saved answer and when
    the questionnaire is sent (which then fails rather than go without it).
    """
    try:
        with session.begin_nested():
            return raise_risk_alert(
                session,
                portal=portal,
                draft=draft,
                instrument=instrument,
                number=number,
                value=value,
            )
    except Exception as failure:
        # Whatever failed, the patient still gets the crisis message; the care team is told
        # through the log and the audit trail until the retry succeeds.
        logger.error(
            "urgent alert not raised for portal draft %s: %s", draft.id, type(failure).__name__
        )
        audit.record(
            session,
            actor=portal.principal.actor,
            action="portal.risk_alert.failed",
            resource_type="portal_draft",
            resource_id=draft.id,
            patient_id=portal.patient_id,
            detail=type(failure).__name__,
        )
        return None
