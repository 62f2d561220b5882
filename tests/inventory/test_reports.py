"""Balances and the biennial inventory report."""

import csv
import io
from datetime import timedelta

import pytest

from openkap.core.errors import BadRequest, Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.inventory import reports
from tests.fixtures.factories import make_org, make_user
from tests.inventory.builders import as_principal, make_stock, past, receive


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


def test_biennial_inventory_lists_every_lot_balance_in_mg_and_units(db, stock):
    receive(db, stock, "100")
    rows = _rows(reports.biennial_inventory_csv(db, by=stock.nurse, as_of=utcnow().date()))
    assert [
        (r["lot_number"], r["location"], r["balance_mg"], r["balance_units"]) for r in rows
    ] == [("LOT-A", "Cabinet", "100.000", "2.000")]
    assert rows[0]["ndc"] == "0409-2051-05"


def test_biennial_inventory_leaves_out_entries_after_its_date(db, stock):
    receive(db, stock, "100")
    assert _rows(reports.biennial_inventory_csv(db, by=stock.nurse, as_of=past(1))) == []


def test_biennial_inventory_cannot_be_dated_in_the_future(db, stock):
    with pytest.raises(BadRequest):
        reports.biennial_inventory_csv(
            db, by=stock.nurse, as_of=utcnow().date() + timedelta(days=2)
        )
