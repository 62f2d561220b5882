"""JSON API of the inventory domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["inventory"])
