"""JSON API of the plans domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["plans"])
