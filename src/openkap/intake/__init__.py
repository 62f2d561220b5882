"""Intake (step 1 of the pathway): the intake record with treatment resistance (`record`) and
suitability screening (`screening`), one sub-package each; the tables, errors and the curated
terminology (`catalog`) are shared at the root. This module exports the domain's one API router
and one page router.
"""

from fastapi import APIRouter

from openkap.intake.record import api as record_api
from openkap.intake.record import routes as record_routes
from openkap.intake.screening import api as screening_api
from openkap.intake.screening import routes as screening_routes

api_router = APIRouter()
page_router = APIRouter()
for router in (record_api.router, screening_api.router):
    api_router.include_router(router)
for router in (record_routes.router, screening_routes.router):
    page_router.include_router(router)
