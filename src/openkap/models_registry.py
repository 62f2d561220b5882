"""Imports every domain's models so the metadata is complete (for Alembic and the app)."""

from openkap.core.database.model_base import Base


def load_all() -> type[Base]:
    """Import all model modules and return the declarative base."""
    from openkap.assessments import models as assessment_models  # noqa: F401
    from openkap.core import models  # noqa: F401
    from openkap.core.audit import chain as audit  # noqa: F401
    from openkap.dosing import models as dosing_models  # noqa: F401
    from openkap.episodes import models as episode_models  # noqa: F401
    from openkap.followup import models as followup_models  # noqa: F401
    from openkap.intake import models as intake_models  # noqa: F401
    from openkap.inventory import models as inventory_models  # noqa: F401
    from openkap.patients import models as patient_models  # noqa: F401
    from openkap.plans import models as plan_models  # noqa: F401
    from openkap.portal import models as portal_models  # noqa: F401
    from openkap.therapy import models as therapy_models  # noqa: F401

    return Base
