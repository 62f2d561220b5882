"""Products, stock locations and lots: what the ledger counts, and where."""

import uuid
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.database.model_base import Base
from openkap.core.principal import Principal
from openkap.inventory.access import require_reader, require_recorder
from openkap.inventory.errors import DuplicateRecord, InventoryRecordNotFound
from openkap.inventory.models import LedgerEntry, Lot, Product, StockLocation
from openkap.inventory.schemas import LocationCreate, LotCreate, ProductCreate

_M = TypeVar("_M", bound=Base)


def _get(
    session: Session,
    model: type[_M],
    record_id: uuid.UUID,
    *,
    by: Principal,
    label: str,
    field: str | None,
) -> _M:
    record = session.get(model, (by.organization_id, record_id))
    if record is None:
        raise InventoryRecordNotFound(f"No such {label}.", field=field)
    return record


def get_product(
    session: Session, *, product_id: uuid.UUID, by: Principal, field: str | None = None
) -> Product:
    """Return a product of the caller's clinic."""
    return _get(session, Product, product_id, by=by, label="product", field=field)


def get_location(
    session: Session, *, location_id: uuid.UUID, by: Principal, field: str | None = None
) -> StockLocation:
    """Return a stock location of the caller's clinic."""
    return _get(session, StockLocation, location_id, by=by, label="stock location", field=field)


def get_lot(session: Session, *, lot_id: uuid.UUID, by: Principal, field: str | None = None) -> Lot:
    """Return a lot of the caller's clinic."""
    return _get(session, Lot, lot_id, by=by, label="lot", field=field)


def get_entry(session: Session, *, entry_id: uuid.UUID, by: Principal) -> LedgerEntry:
    """Return a ledger entry of the caller's clinic."""
    return _get(session, LedgerEntry, entry_id, by=by, label="ledger entry", field=None)


def _audit_create(session: Session, *, by: Principal, kind: str, record_id: uuid.UUID) -> None:
    audit.record(
        session,
        actor=by.actor,
        action=f"inventory.{kind}.create",
        resource_type=kind,
        resource_id=record_id,
    )


def create_product(session: Session, *, data: ProductCreate, by: Principal) -> Product:
    """Add a ketamine or esketamine product to the clinic's catalogue."""
    require_recorder(by)
    product = Product(
        organization_id=by.organization_id, created_by_id=by.user.id, **data.model_dump()
    )
    session.add(product)
    session.flush()
    _audit_create(session, by=by, kind="product", record_id=product.id)
    return product


def create_location(session: Session, *, data: LocationCreate, by: Principal) -> StockLocation:
    """Add a place where stock is kept."""
    require_recorder(by)
    taken = select(StockLocation.id).where(
        StockLocation.organization_id == by.organization_id,
        StockLocation.site == data.site,
        StockLocation.name == data.name,
    )
    if session.scalars(taken).first() is not None:
        raise DuplicateRecord(f"{data.site} already has a location named {data.name}.")
    location = StockLocation(
        organization_id=by.organization_id, created_by_id=by.user.id, **data.model_dump()
    )
    session.add(location)
    session.flush()
    _audit_create(session, by=by, kind="location", record_id=location.id)
    return location


def create_lot(session: Session, *, data: LotCreate, by: Principal) -> Lot:
    """Register a manufacturer's lot of a product."""
    require_recorder(by)
    get_product(session, product_id=data.product_id, by=by, field="product_id")
    taken = select(Lot.id).where(
        Lot.organization_id == by.organization_id,
        Lot.product_id == data.product_id,
        Lot.lot_number == data.lot_number,
    )
    if session.scalars(taken).first() is not None:
        raise DuplicateRecord(f"Lot {data.lot_number} of this product is already registered.")
    lot = Lot(organization_id=by.organization_id, created_by_id=by.user.id, **data.model_dump())
    session.add(lot)
    session.flush()
    _audit_create(session, by=by, kind="lot", record_id=lot.id)
    return lot


def list_products(session: Session, *, by: Principal) -> list[Product]:
    """Return the clinic's products by name."""
    require_reader(by)
    return list(session.scalars(select(Product).order_by(Product.name, Product.id)))


def list_locations(session: Session, *, by: Principal) -> list[StockLocation]:
    """Return the clinic's stock locations by site and name."""
    require_reader(by)
    return list(
        session.scalars(select(StockLocation).order_by(StockLocation.site, StockLocation.name))
    )


def list_lots(session: Session, *, by: Principal) -> list[Lot]:
    """Return the clinic's lots, soonest expiry first."""
    require_reader(by)
    return list(session.scalars(select(Lot).order_by(Lot.expiry, Lot.lot_number)))
