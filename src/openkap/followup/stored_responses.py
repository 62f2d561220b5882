"""One rule for every stored questionnaire response, whatever the path.

Staff entry (intake and clinical ratings), the patient portal, dosing (CADSS at the chair) and any
import store responses through `openkap.assessments.service.record_response`, which hands each one
to `after_response_stored` (registered when the follow-up package is imported). Here:

1. A response whose safety item or risk level calls for a suicide-risk review (PHQ-9 item 9 >= 1,
   QIDS-SR16 item 12 >= 1, MADRS item 10 >= 4, a C-SSRS screener "yes" or moderate/high risk:
   the instruments' own rules, `is_suicide_risk`) raises the same urgent alert to the primary
   clinician and the on-call role. A portal alert raised when the answer was saved is linked
   instead of raised twice.
2. The relapse rule is evaluated for the response's episode (`relapse.evaluate_relapse`).

A failure of either refuses the store: no response is kept without its alert.
"""

import uuid

from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.assessments.schemas import is_suicide_risk
from openkap.assessments.service import StoredResponse, add_response_listener
from openkap.core.principal import Principal
from openkap.followup.alerts import service as alerts
from openkap.followup.models import UrgentAlert
from openkap.followup.reviews import relapse
from openkap.instruments import Instrument, get_instrument
from openkap.instruments.scoring import COMPARE

SOURCES = {
    "portal": "by the patient in the portal",
    "dosing": "at the chair",
    "import": "imported",
}


def _flagged_items(instrument: Instrument, response: AssessmentResponse) -> list[dict[str, object]]:
    found = []
    for rule in instrument.flags:
        if rule.name != "suicide_risk" or rule.item is None:
            continue
        value = response.answers[rule.item - 1] if rule.item <= len(response.answers) else None
        if value is not None and COMPARE[rule.op](value, rule.threshold):
            found.append({"item": rule.item, "value": value, "rule": rule.reason})
    return found


def _message(instrument: Instrument, response: AssessmentResponse) -> str:
    items = _flagged_items(instrument, response)
    said = ", ".join(f"item {i['item']} answered {i['value']}" for i in items)
    level = response.scores.get("risk_level")
    parts = [said] if said else []
    if level:
        parts.append(f"risk level {level}")
    where = SOURCES.get(response.setting, f"entered by the {response.completed_by}")
    return f"{instrument.abbreviation}: {'; '.join(parts)} ({where})."


def _evidence(instrument: Instrument, response: AssessmentResponse) -> dict[str, object]:
    return {
        "source": response.setting,
        "completed_by": response.completed_by,
        "instrument_id": instrument.id,
        "instrument_version": response.instrument_version,
        "items": _flagged_items(instrument, response),
        "risk_level": response.scores.get("risk_level"),
        "completed_at": response.completed_at.isoformat(),
        "response_id": str(response.id),
        "rule": "PHQ-9 item 9 >= 1; QIDS-SR16 item 12 >= 1; MADRS item 10 >= 4; C-SSRS screener "
        "yes to 1, 2 or 6, or moderate/high risk (CLINICAL.md, instruments)",
    }


def alert_for_response(
    session: Session,
    *,
    response: AssessmentResponse,
    by: Principal,
    alert_id: uuid.UUID | None = None,
) -> UrgentAlert | None:
    """Raise the suicide-risk alert of a stored response (or link the one already raised)."""
    if alert_id is not None:
        return alerts.link_alert_to_response(
            session, alert_id=alert_id, response_id=response.id, by=by
        )
    if not is_suicide_risk(response.flags, response.scores):
        return None
    instrument = get_instrument(response.instrument_id)
    alert = alerts.raise_urgent_alert(
        session,
        patient_id=response.patient_id,
        episode_id=response.episode_id,
        kind=alerts.SUICIDE_RISK,
        message=_message(instrument, response),
        evidence=_evidence(instrument, response),
        by=by,
    )
    return alerts.link_alert_to_response(session, alert_id=alert.id, response_id=response.id, by=by)


def after_response_stored(session: Session, stored: StoredResponse) -> None:
    """Apply the suicide-risk alert and the relapse rule to a response just stored."""
    response = stored.response
    alert_for_response(session, response=response, by=stored.by, alert_id=stored.alert_id)
    if response.episode_id is not None:
        relapse.evaluate_relapse(session, episode_id=response.episode_id, by=stored.by)


add_response_listener(after_response_stored)
