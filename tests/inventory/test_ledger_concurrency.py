"""Two live database sessions drawing from one lot at once: the balance lock serialises them."""

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openkap.core.database.tenancy import all_tenants
from openkap.core.db import session_factory
from openkap.inventory.errors import InsufficientStock
from openkap.inventory.models import LedgerEntry, LotBalance
from openkap.inventory.schemas import LossCreate
from openkap.inventory.stock import service
from tests.fixtures.factories import make_org
from tests.inventory.builders import make_stock, receive

HOLD_SECONDS = 0.5


# SQLite takes one lock for the whole database, so only PostgreSQL's row lock is tested here.


@pytest.fixture
def engine(private_postgres_engine):
    return private_postgres_engine


@pytest.fixture
def committed_stock(engine):
    """A clinic with 100 mg in one lot, committed so that other connections see it."""
    with session_factory(engine)() as session, all_tenants(session):
        stock = make_stock(session, make_org(session))
        receive(session, stock, "100")
        session.commit()
        ids = (stock.lot.id, stock.cabinet.id)
    return stock, ids


def _draw(engine, stock, ids, outcomes, started, *, hold):
    lot_id, location_id = ids
    with session_factory(engine)() as session, all_tenants(session):
        started.wait()
        try:
            service.report_loss(
                session,
                data=LossCreate(
                    lot_id=lot_id,
                    location_id=location_id,
                    quantity_mg=Decimal(60),
                    reason="Vial found cracked in the safe.",
                    dea_form_106="Breakage discovered at the morning count.",
                ),
                by=stock.nurse,
            )
            # Keep the lock long enough for the other session to reach it.
            time.sleep(hold)
            session.commit()
            outcomes.append("drawn")
        except InsufficientStock:
            session.rollback()
            outcomes.append("refused")


def test_two_sessions_cannot_both_draw_the_last_stock(engine, committed_stock):
    stock, ids = committed_stock
    outcomes: list[str] = []
    started = threading.Event()
    first = threading.Thread(
        target=_draw, args=(engine, stock, ids, outcomes, started), kwargs={"hold": HOLD_SECONDS}
    )
    second = threading.Thread(
        target=_draw, args=(engine, stock, ids, outcomes, started), kwargs={"hold": 0}
    )
    first.start()
    second.start()
    started.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert sorted(outcomes) == ["drawn", "refused"]
    lot_id, location_id = ids
    with session_factory(engine)() as session, all_tenants(session):
        balance = session.scalars(
            select(LotBalance.balance_mg).where(
                LotBalance.lot_id == lot_id, LotBalance.location_id == location_id
            )
        ).one()
        entries = session.scalar(
            select(func.sum(LedgerEntry.quantity_mg)).where(LedgerEntry.lot_id == lot_id)
        )
    assert balance == entries == Decimal(40)
