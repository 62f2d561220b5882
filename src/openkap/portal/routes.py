"""Pages of the portal domain."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
