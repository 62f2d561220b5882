"""The words of the pre-dose checks: checklist items, hard-stop keys, which may be overridden.

Kept apart from dosing.chair.pre_dose (the use cases) and dosing.chair.stop_findings (what finds
each stop) so both can name them.
"""

import enum

from openkap.core.settings import guard_rails


class ChecklistKey(enum.StrEnum):
    identity_verified = "identity_verified"
    consent_current = "consent_current"
    fasting = "fasting"
    escort_confirmed = "escort_confirmed"
    pregnancy_status = "pregnancy_status"
    medications_since_last_visit = "medications_since_last_visit"
    suicide_risk_check = "suicide_risk_check"
    intention = "intention"
    weight_kg = "weight_kg"


# Answered "yes" or dosing holds; the other required items need only an answer.
CONFIRMATIONS = (
    ChecklistKey.identity_verified,
    ChecklistKey.fasting,
    ChecklistKey.escort_confirmed,
)
# pregnancy_status is required too for a patient who can become pregnant (dosing.chair.day_checks).
REQUIRED = (
    *CONFIRMATIONS,
    ChecklistKey.medications_since_last_visit,
    ChecklistKey.suicide_risk_check,
    ChecklistKey.intention,
)


class StopKey(enum.StrEnum):
    no_valid_consent = "no_valid_consent"
    rems_not_enrolled = "rems_not_enrolled"
    plan_not_signed = "plan_not_signed"
    pre_dose_vitals = "pre_dose_vitals"
    checklist_incomplete = "checklist_incomplete"
    weight_not_current = "weight_not_current"
    pre_dose_ceiling = "pre_dose_ceiling"
    unacknowledged_alert = "unacknowledged_alert"
    interval_too_short = "interval_too_short"
    dose_above_plan_max_per_kg = "dose_above_plan_max_per_kg"
    suicide_risk_unassessed = "suicide_risk_unassessed"
    screening_recheck_needed = "screening_recheck_needed"
    pregnancy_positive = "pregnancy_positive"
    interacting_medication_reported = "interacting_medication_reported"
    suicide_risk_reported = "suicide_risk_reported"


# An incomplete checklist is finished by answering it and an alert by acknowledging it; a
# reading at a ceiling is no case for an override at the chair; an unassessed suicide-risk alert
# is resolved only by a clinician's risk assessment (follow-up); nor is a screening to re-run, a
# positive pregnancy test or a new suicide risk not yet assessed: none of them is overridden.
NOT_OVERRIDABLE = frozenset(
    {
        StopKey.checklist_incomplete,
        StopKey.pre_dose_ceiling,
        StopKey.unacknowledged_alert,
        StopKey.suicide_risk_unassessed,
        StopKey.screening_recheck_needed,
        StopKey.pregnancy_positive,
        StopKey.suicide_risk_reported,
    }
)
OVERRIDABLE = frozenset(StopKey) - NOT_OVERRIDABLE
# Ceilings no setting and no role passes before a dose, defined with their sources in one place.
CEILING_SBP = guard_rails.PRE_DOSE_CEILING_SBP_AT_OR_ABOVE
CEILING_DBP = guard_rails.PRE_DOSE_CEILING_DBP_AT_OR_ABOVE
CEILING_SPO2_BELOW = guard_rails.PRE_DOSE_CEILING_SPO2_BELOW


STOP_TITLES = {
    StopKey.no_valid_consent: "No valid consent",
    StopKey.rems_not_enrolled: "Not enrolled in the REMS",
    StopKey.plan_not_signed: "Treatment plan not signed",
    StopKey.pre_dose_vitals: "Vital signs before the dose",
    StopKey.checklist_incomplete: "Checklist not complete",
    StopKey.weight_not_current: "No current weight",
    StopKey.pre_dose_ceiling: "Vital signs at a ceiling: no dose today",
    StopKey.unacknowledged_alert: "Alert not acknowledged",
    StopKey.interval_too_short: "Too soon after the last dose",
    StopKey.dose_above_plan_max_per_kg: "Dose above the plan's maximum at today's weight",
    StopKey.suicide_risk_unassessed: "Suicide risk not yet assessed",
}


# A stop found in the records: its key, its message, and the evidence it was raised on.
Stop = tuple[StopKey, str, str]
