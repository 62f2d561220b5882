"""Psychotherapy (step 3 of the pathway): therapy notes with their signatures (`notes`), the
clinic's note templates (`templates`) and the episode's integration plan (`integration`), one
sub-package each; the tables, errors, API shapes and form fields are shared at the root. This
module exports the domain's one API router and one page router.
"""

from fastapi import APIRouter

from openkap.therapy.integration import api as integration_api
from openkap.therapy.integration import routes as integration_routes
from openkap.therapy.notes import action_routes as notes_action_routes
from openkap.therapy.notes import api as notes_api
from openkap.therapy.notes import routes as notes_routes
from openkap.therapy.templates import api as templates_api

api_router = APIRouter()
api_router.include_router(notes_api.router)
for router in (templates_api.router, integration_api.router):
    api_router.include_router(router, prefix="/api/v1", tags=["therapy"])
page_router = APIRouter()
for router in (notes_routes.router, notes_action_routes.router, integration_routes.router):
    page_router.include_router(router)
