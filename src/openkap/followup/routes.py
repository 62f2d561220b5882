"""Pages of the followup domain."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
