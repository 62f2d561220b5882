"""JSON API of the dosing domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["dosing"])
