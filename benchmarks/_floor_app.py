"""The floor of the vitals benchmark: the same stack writing the same row, with no business logic.

FastAPI, the same request-scoped session and commit dependency (`openkap.core.deps.DbSession`),
the same engine settings (`openkap.core.db.build_engine`: WAL, synchronous=FULL, BEGIN
IMMEDIATE on SQLite; the same pool on PostgreSQL), the same input and output schemas and the same
`VitalSigns` row. What it leaves out is what OpenKAP adds: the bearer token look-up, the
permission checks, loading the dosing session and checking its state, the idempotency look-up,
the thresholds and alerts, and the audit event. It lives here, not in src/, so it never ships.

The clinic and recorder of every row come from FLOOR_ORGANIZATION_ID and FLOOR_RECORDER_ID.
"""

import os
import uuid

from fastapi import FastAPI

from openkap import models_registry
from openkap.core.db import get_engine, session_factory
from openkap.core.deps import DbSession
from openkap.dosing.models import VitalSigns
from openkap.dosing.sessions.schemas import VitalsCreate, VitalsRead


def create_floor_app() -> FastAPI:
    """Build the floor application on the configured database."""
    models_registry.load_all()
    organization_id = uuid.UUID(os.environ["FLOOR_ORGANIZATION_ID"])
    recorder_id = uuid.UUID(os.environ["FLOOR_RECORDER_ID"])
    app = FastAPI(title="OpenKAP benchmark floor")
    app.state.session_factory = session_factory(get_engine())

    @app.post("/floor/dosing-sessions/{session_id}/vitals", response_model=VitalsRead)
    def record_vitals(db: DbSession, session_id: uuid.UUID, body: VitalsCreate) -> VitalsRead:
        row = VitalSigns(
            organization_id=organization_id,
            session_id=session_id,
            recorded_by_id=recorder_id,
            **body.model_dump(),
        )
        db.add(row)
        db.flush()
        return VitalsRead.model_validate(row)

    return app


app = create_floor_app()
