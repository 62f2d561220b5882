"""Pages of esketamine REMS Patient Monitoring Forms."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
