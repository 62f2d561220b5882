"""Pages of suitability screening and the clinic's rule sets."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
