"""Matrix entries of the portal domain (see tests/matrix.py)."""

from tests.matrix import Call

API_CALLS: list[Call] = []
PAGE_CALLS: list[Call] = []


def seed(db, org, users):
    return {}
