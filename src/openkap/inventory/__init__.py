"""The controlled-substance ledger: stock and its movements (`stock`), physical counts and the
biennial inventory (`counts`), one sub-package each; the tables, errors and shapes, who may touch
the ledger (`access`), the one way an entry enters it (`ledger`) and the witness check
(`witness`) are shared at the root. This module exports the domain's one API router and one page
router.
"""

from fastapi import APIRouter

from openkap.inventory.counts import api as counts_api
from openkap.inventory.counts import routes as counts_routes
from openkap.inventory.stock import api as stock_api
from openkap.inventory.stock import routes as stock_routes

api_router = APIRouter()
page_router = APIRouter()
for router in (stock_api.router, counts_api.router):
    api_router.include_router(router)
for router in (stock_routes.router, counts_routes.router):
    page_router.include_router(router)
