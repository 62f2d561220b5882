"""What each current protocol would give an episode's patient today: the plan page's preview."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.patients.models import Patient
from openkap.plans.errors import DoseAboveRouteCeiling
from openkap.plans.models import ProtocolTemplate
from openkap.plans.treatment import templates
from openkap.plans.treatment.doses import DoseCalculation, age_on, calculate_dose
from openkap.plans.treatment.service import plan_weight


@dataclass(frozen=True, kw_only=True)
class DosePreview:
    """What a template would give this patient today, or why it cannot be computed."""

    template: ProtocolTemplate
    calculation: DoseCalculation | None
    problem: str | None


def preview_doses(session: Session, *, episode: Episode, by: Principal) -> list[DosePreview]:
    """Compute each current template's start dose for the episode's patient."""
    patient = session.get(Patient, (episode.organization_id, episode.patient_id))
    assert patient is not None
    previews = []
    for template in templates.list_current_templates(session, by=by):
        weight = plan_weight(session, template, patient.id) if template.weight_based else None
        if template.weight_based and weight is None:
            problem = f"no weight recorded in the last {template.weight_max_age_days} days"
            previews.append(DosePreview(template=template, calculation=None, problem=problem))
            continue
        try:
            calc = calculate_dose(
                template,
                age=age_on(patient.birth_date, utcnow().date()),
                weight_kg=weight.weight_kg if weight else None,
                weight_measured_on=weight.measured_on if weight else None,
            )
        except DoseAboveRouteCeiling as above:
            previews.append(DosePreview(template=template, calculation=None, problem=above.message))
            continue
        previews.append(DosePreview(template=template, calculation=calc, problem=None))
    return previews
