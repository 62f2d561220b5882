"""JSON API of suitability screening and the clinic's rule sets."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["screening"])
