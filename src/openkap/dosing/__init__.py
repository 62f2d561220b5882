"""Dosing sessions (step 2 of the pathway): the session, its order and administration, monitoring
at the chair, the clinic's thresholds, discharge, the remainder of a stopped dose and the
esketamine REMS form, one sub-package each; docs/dosing-rules.md describes each rule, its default
and its source.

The sub-packages share the tables (`models`), the errors (`errors`) and the session's state
kernel (`state`). This module exports the domain's one API router and one page router.
"""

from fastapi import APIRouter

from openkap.dosing.administration import api as administration_api
from openkap.dosing.chair import routes as chair_routes
from openkap.dosing.monitoring import api as monitoring_api
from openkap.dosing.monitoring import routes as monitoring_routes
from openkap.dosing.remainder import api as remainder_api
from openkap.dosing.remainder import routes as remainder_routes
from openkap.dosing.rems import api as rems_api
from openkap.dosing.rems import routes as rems_routes
from openkap.dosing.sessions import api as sessions_api
from openkap.dosing.thresholds import api as thresholds_api
from openkap.dosing.thresholds import routes as thresholds_routes

api_router = APIRouter()
page_router = APIRouter()
for router in (
    sessions_api.router,
    administration_api.router,
    monitoring_api.router,
    rems_api.router,
    remainder_api.router,
    thresholds_api.router,
):
    api_router.include_router(router)
for router in (
    chair_routes.router,
    monitoring_routes.router,
    rems_routes.router,
    remainder_routes.router,
    thresholds_routes.router,
):
    page_router.include_router(router)
