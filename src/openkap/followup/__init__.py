"""Follow-up (step 4 of the pathway): each episode's schedule (`schedule`), the task inbox
(`tasks`), booster and maintenance reviews with the relapse rule (`reviews`), urgent alerts
(`alerts`) and the clinic's settings (`settings`), one sub-package each; the tables, errors and
API shapes are shared at the root. This module exports the domain's one API router and one page
router.

Importing the package registers, without the earlier domains importing follow-up: the
maintenance-course check on booking a dose; the suicide-risk alert and the relapse rule on every
stored questionnaire response; the unassessed suicide-risk hard stop before dosing; and the
urgent-alert badge and banner in every page's layout.
"""

from fastapi import APIRouter

from openkap.followup import stored_responses as stored_responses
from openkap.followup.alerts import risk_stop as risk_stop
from openkap.followup.alerts.recipients import layout_alerts
from openkap.followup.reviews import api as reviews_api
from openkap.followup.reviews import maintenance as maintenance
from openkap.followup.reviews import routes as reviews_routes
from openkap.followup.schedule import routes as schedule_routes
from openkap.followup.settings import api as settings_api
from openkap.followup.settings import routes as settings_routes
from openkap.followup.tasks import api as tasks_api
from openkap.followup.tasks import routes as tasks_routes
from openkap.web.templating import add_layout_provider

add_layout_provider(layout_alerts)

api_router = APIRouter()
api_router.include_router(tasks_api.router)
for router in (reviews_api.router, settings_api.router):
    api_router.include_router(router, prefix="/api/v1", tags=["followup"])
page_router = APIRouter()
for router in (
    tasks_routes.router,
    schedule_routes.router,
    reviews_routes.router,
    settings_routes.router,
):
    page_router.include_router(router)
