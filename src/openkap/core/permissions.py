"""Who may do what: the one table of role permissions, tested as a matrix."""

import enum

from openkap.core.models import Role


class Permission(enum.StrEnum):
    patient_read = "patient:read"
    patient_write = "patient:write"
    patient_mark_error = "patient:mark_error"
    clinical_read = "clinical:read"
    weight_write = "weight:write"
    patient_access_log = "patient:access_log"
    user_manage = "user:manage"
    audit_read = "audit:read"
    episode_read = "episode:read"
    episode_manage = "episode:manage"
    intake_write = "intake:write"
    screening_run = "screening:run"
    screening_override = "screening:override"
    ruleset_read = "ruleset:read"
    ruleset_manage = "ruleset:manage"
    settings_approve = "settings:approve"
    plan_write = "plan:write"
    plan_sign = "plan:sign"
    template_manage = "template:manage"
    consent_record = "consent:record"
    consent_document_manage = "consent_document:manage"
    rems_record = "rems:record"
    preparation_record = "preparation:record"
    inventory_record = "inventory:record"
    inventory_read = "inventory:read"
    dosing_schedule = "dosing:schedule"
    dosing_session_read = "dosing:session_read"
    dosing_read = "dosing:read"
    dosing_administer = "dosing:administer"
    dosing_override = "dosing:override"
    dosing_order = "dosing:order"
    dosing_observe = "dosing:observe"
    rems_form_submit = "rems_form:submit"
    note_read = "note:read"
    note_write = "note:write"
    note_sign = "note:sign"
    note_template_manage = "note_template:manage"
    integration_plan_write = "integration_plan:write"
    followup_configure = "followup:configure"
    task_read = "task:read"
    task_update = "task:update"
    maintenance_approve = "maintenance:approve"
    portal_invite = "portal:invite"
    portal_use = "portal:use"
    urgent_alert_acknowledge = "urgent_alert:acknowledge"


_STAFF_WITH_PATIENTS = {Role.admin, Role.prescriber, Role.nurse, Role.therapist, Role.front_desk}
_CLINICIANS = {Role.prescriber, Role.nurse, Role.therapist}

# Front desk and administrators see who a patient is, never their clinical record; researchers see
# nothing identifiable; patients reach only their own record, through the portal.
PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.patient_read: frozenset(_STAFF_WITH_PATIENTS),
    Permission.patient_write: frozenset({Role.admin, Role.prescriber, Role.nurse, Role.front_desk}),
    Permission.patient_mark_error: frozenset({Role.admin, Role.prescriber}),
    Permission.clinical_read: frozenset(_CLINICIANS),
    Permission.weight_write: frozenset({Role.prescriber, Role.nurse}),
    Permission.patient_access_log: frozenset({Role.admin}),
    Permission.user_manage: frozenset({Role.admin}),
    Permission.audit_read: frozenset({Role.admin}),
    Permission.episode_read: frozenset(_CLINICIANS),
    Permission.episode_manage: frozenset(_CLINICIANS),
    Permission.intake_write: frozenset(_CLINICIANS),
    Permission.screening_run: frozenset({Role.prescriber, Role.nurse}),
    Permission.screening_override: frozenset({Role.prescriber}),
    Permission.ruleset_read: frozenset({Role.admin, Role.prescriber}),
    Permission.ruleset_manage: frozenset({Role.admin}),
    # A loosened safety setting comes into force only with a second user, a prescriber.
    Permission.settings_approve: frozenset({Role.prescriber}),
    Permission.plan_write: frozenset({Role.prescriber}),
    Permission.plan_sign: frozenset({Role.prescriber}),
    Permission.template_manage: frozenset({Role.admin, Role.prescriber}),
    Permission.consent_record: frozenset(_CLINICIANS),
    Permission.consent_document_manage: frozenset({Role.admin}),
    Permission.rems_record: frozenset({Role.prescriber, Role.nurse}),
    Permission.preparation_record: frozenset(_CLINICIANS),
    Permission.inventory_record: frozenset({Role.prescriber, Role.nurse}),
    Permission.inventory_read: frozenset({Role.admin, Role.prescriber, Role.nurse}),
    # Front desk schedules and checks in, and sees the session list, not its clinical content.
    Permission.dosing_schedule: frozenset({Role.front_desk, Role.nurse, Role.prescriber}),
    Permission.dosing_session_read: frozenset({Role.front_desk, *_CLINICIANS}),
    Permission.dosing_read: frozenset(_CLINICIANS),
    Permission.dosing_administer: frozenset({Role.nurse, Role.prescriber}),
    Permission.dosing_override: frozenset({Role.prescriber}),
    Permission.dosing_order: frozenset({Role.prescriber}),
    # Therapists and sitters write observations and dissociation scores; they do not dose.
    Permission.dosing_observe: frozenset(_CLINICIANS),
    Permission.rems_form_submit: frozenset({Role.prescriber, Role.nurse}),
    # Psychotherapy process notes are further limited to their author (therapy service).
    Permission.note_read: frozenset(_CLINICIANS),
    Permission.note_write: frozenset({Role.prescriber, Role.therapist, Role.nurse}),
    Permission.note_sign: frozenset({Role.prescriber, Role.therapist, Role.nurse}),
    Permission.note_template_manage: frozenset({Role.admin}),
    Permission.integration_plan_write: frozenset({Role.prescriber, Role.therapist}),
    Permission.followup_configure: frozenset({Role.admin}),
    Permission.task_read: frozenset({*_CLINICIANS, Role.front_desk}),
    Permission.task_update: frozenset({*_CLINICIANS, Role.front_desk}),
    Permission.maintenance_approve: frozenset({Role.prescriber}),
    Permission.portal_invite: frozenset({*_CLINICIANS, Role.front_desk}),
    Permission.portal_use: frozenset({Role.patient}),
    Permission.urgent_alert_acknowledge: frozenset(_CLINICIANS),
}


def allows(roles: frozenset[Role], permission: Permission) -> bool:
    """Tell whether any of the roles grants the permission."""
    return not roles.isdisjoint(PERMISSIONS[permission])
