"""The patient portal (step 4 of the pathway, for patients): home and results (`home`),
questionnaires one question per screen (`questionnaires`), invitation links (`links`), staff's
view of a patient's access (`staff`) and the clinic's portal settings (`settings`), one
sub-package each; the tables, errors, shapes, the patient's access and the follow-up and therapy
services it calls (`contracts`) are shared at the root. This module exports the domain's one API
router and one page router.
"""

from fastapi import APIRouter

from openkap.portal.home import routes as home_routes
from openkap.portal.links import routes as links_routes
from openkap.portal.settings import routes as settings_routes
from openkap.portal.staff import api as staff_api
from openkap.portal.staff import routes as staff_routes

api_router = APIRouter()
api_router.include_router(staff_api.router)
page_router = APIRouter()
for router in (
    home_routes.router,
    links_routes.router,
    staff_routes.router,
    settings_routes.router,
):
    page_router.include_router(router)
