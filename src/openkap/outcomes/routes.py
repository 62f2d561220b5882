"""Pages of the outcomes domain."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
