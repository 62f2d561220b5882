"""Preparation and planning (step 1 of the pathway, its end): protocol templates and treatment
plans (`treatment`), informed consent (`consent`), and the episode's preparation with REMS
enrolment (`preparation`), one sub-package each.

The sub-packages share the tables (`models`), the errors (`errors`), the role and open-episode
checks (`access`), the queries of versioned documents (`versioned`) and what an episode needs
before dosing (`readiness`). This module exports the domain's one API router and one page router.
"""

from fastapi import APIRouter

from openkap.plans.consent import document_routes as consent_document_routes
from openkap.plans.consent import routes as consent_routes
from openkap.plans.preparation import api as preparation_api
from openkap.plans.preparation import routes as preparation_routes
from openkap.plans.treatment import api as treatment_api
from openkap.plans.treatment import routes as treatment_routes

api_router = APIRouter()
api_router.include_router(treatment_api.router)
api_router.include_router(preparation_api.router, prefix="/api/v1", tags=["plans"])
page_router = APIRouter()
for router in (
    treatment_routes.router,
    preparation_routes.router,
    consent_routes.router,
    consent_document_routes.router,
):
    page_router.include_router(router)
