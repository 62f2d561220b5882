"""Balances (the biennial inventory: test_biennial.py)."""

import csv
import io

import pytest

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.inventory.stock import reports
from tests.fixtures.factories import make_org, make_user
from tests.inventory.builders import as_principal, make_stock, receive


@pytest.fixture
def stock(db):
    return make_stock(db, make_org(db))


def test_balances_list_each_lot_at_each_location_holding_it(db, stock):
    receive(db, stock, "100")
    receive(db, stock, "30", lot=stock.other_lot, location=stock.safe)
    found = {
        (b.lot_number, b.location_name, b.balance_mg) for b in reports.balances(db, by=stock.nurse)
    }
    assert found == {("LOT-A", "Cabinet", 100), ("LOT-B", "Safe", 30)}


def test_administrators_read_balances_but_front_desk_does_not(db, stock):
    org = stock.nurse.user.organization
    receive(db, stock, "100")
    admin = as_principal(make_user(db, org, Role.admin))
    assert len(reports.balances(db, by=admin)) == 1
    with pytest.raises(Forbidden):
        reports.balances(db, by=as_principal(make_user(db, org, Role.front_desk)))


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
