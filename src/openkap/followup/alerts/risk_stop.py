"""The pre-dose hard stop of an unassessed suicide-risk alert (CLINICAL.md, chair guard-rails).

"Suicide risk since the last session (an unacknowledged alert -> stop until a clinician records a
risk assessment)": every open suicide-risk alert of the patient holds dosing, whenever it was
raised (one raised during or before the last session and still open is still unassessed). The
stop is resolved only by a clinician acknowledging the alert with a risk assessment
(`alerts.acknowledge_urgent_alert` with `risk_level` and `safety_plan_reviewed`); no role
overrides it. Registered with `openkap.dosing.chair.pre_dose.add_pre_dose_check`, so dosing does not
import follow-up.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.dosing.chair.pre_dose import StopKey, add_pre_dose_check
from openkap.dosing.models import DosingSession
from openkap.followup.alerts.service import SUICIDE_RISK
from openkap.followup.models import AlertStatus, UrgentAlert

MAX_NAMED = 5


def unassessed_risk_alerts(session: Session, *, dosing: DosingSession) -> list[UrgentAlert]:
    """Return the patient's open suicide-risk alerts, oldest first."""
    return list(
        session.scalars(
            select(UrgentAlert)
            .where(
                UrgentAlert.organization_id == dosing.organization_id,
                UrgentAlert.patient_id == dosing.patient_id,
                UrgentAlert.status == AlertStatus.open.value,
                UrgentAlert.kind == SUICIDE_RISK,
            )
            .order_by(UrgentAlert.raised_at, UrgentAlert.id)
            .limit(MAX_NAMED)
        )
    )


def suicide_risk_stop(session: Session, dosing: DosingSession) -> list[tuple[StopKey, str]]:
    """Hold dosing while a suicide-risk alert of the patient has no risk assessment."""
    found = unassessed_risk_alerts(session, dosing=dosing)
    if not found:
        return []
    named = "; ".join(
        f"{a.message} raised {a.raised_at:%Y-%m-%d %H:%M} UTC (/urgent-alerts/{a.id})"
        for a in found
    )
    return [
        (
            StopKey.suicide_risk_unassessed,
            f"Unacknowledged suicide-risk alert: {named}. A clinician acknowledges it with a "
            "risk assessment (risk level, safety plan reviewed); it cannot be overridden.",
        )
    ]


add_pre_dose_check(suicide_risk_stop)
