"""Tables of the controlled-substance ledger: products, lots, locations, entries and counts."""

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from openkap.core.database.model_base import AuditedMixin, Base, TenantMixin
from openkap.core.time import utcnow

# Milligrams to the microgram: enough for any ketamine or esketamine dose or stock.
MG = Numeric(14, 3)


class Drug(enum.StrEnum):
    racemic_ketamine = "racemic_ketamine"
    esketamine = "esketamine"


class EntryKind(enum.StrEnum):
    receipt = "receipt"
    administration = "administration"
    waste = "waste"
    transfer_out = "transfer_out"
    transfer_in = "transfer_in"
    return_ = "return"
    destruction = "destruction"
    loss = "loss"
    count_adjustment = "count_adjustment"
    correction = "correction"


class CountStatus(enum.StrEnum):
    open = "open"
    awaiting_second_signature = "awaiting_second_signature"
    completed = "completed"


def _tenant_fk(column: str, table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", column], [f"{table}.organization_id", f"{table}.id"]
    )


class Product(TenantMixin, AuditedMixin, Base):
    __tablename__ = "inventory_products"

    name: Mapped[str] = mapped_column(String(120))
    drug: Mapped[str] = mapped_column(String(32))
    form: Mapped[str] = mapped_column(String(60))
    strength: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(20))
    mg_per_unit: Mapped[Decimal] = mapped_column(MG)
    ndc: Mapped[str | None] = mapped_column(String(20), default=None)


class StockLocation(TenantMixin, AuditedMixin, Base):
    __tablename__ = "inventory_locations"
    __table_args__ = (UniqueConstraint("organization_id", "site", "name"),)

    name: Mapped[str] = mapped_column(String(120))
    site: Mapped[str] = mapped_column(String(120))


class Lot(TenantMixin, AuditedMixin, Base):
    __tablename__ = "inventory_lots"
    __table_args__ = (
        _tenant_fk("product_id", "inventory_products"),
        UniqueConstraint("organization_id", "product_id", "lot_number"),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    lot_number: Mapped[str] = mapped_column(String(60))
    expiry: Mapped[date] = mapped_column()
    supplier: Mapped[str] = mapped_column(String(200))


class LotBalance(TenantMixin, Base):
    """The running balance of one lot at one location: locked to serialise entries on it."""

    __tablename__ = "inventory_lot_balances"
    __table_args__ = (
        _tenant_fk("lot_id", "inventory_lots"),
        _tenant_fk("location_id", "inventory_locations"),
        UniqueConstraint("organization_id", "lot_id", "location_id"),
    )

    lot_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    balance_mg: Mapped[Decimal] = mapped_column(MG, default=Decimal(0))
    version: Mapped[int] = mapped_column(default=0)


class LedgerEntry(TenantMixin, Base):
    """One append-only movement of stock; never updated, corrected by a later entry."""

    __tablename__ = "inventory_ledger_entries"
    __table_args__ = (
        _tenant_fk("lot_id", "inventory_lots"),
        _tenant_fk("location_id", "inventory_locations"),
        _tenant_fk("patient_id", "patients"),
        _tenant_fk("corrects_entry_id", "inventory_ledger_entries"),
        _tenant_fk("related_entry_id", "inventory_ledger_entries"),
        Index("ix_inventory_entries_stock", "organization_id", "lot_id", "location_id", "version"),
        Index("ix_inventory_entries_time", "organization_id", "occurred_at"),
    )

    kind: Mapped[str] = mapped_column(String(24))
    lot_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # The lot-location balance version this entry produced: entries of one balance are ordered.
    version: Mapped[int] = mapped_column()
    quantity_mg: Mapped[Decimal] = mapped_column(MG)
    balance_after_mg: Mapped[Decimal] = mapped_column(MG)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    witness_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), default=None)
    # How the witness proved who they are (inventory.witness.WITNESS_METHODS).
    witness_method: Mapped[str | None] = mapped_column(String(20), default=None)
    supplier: Mapped[str | None] = mapped_column(String(200), default=None)
    supplier_address: Mapped[str | None] = mapped_column(String(500), default=None)
    supplier_dea_registration: Mapped[str | None] = mapped_column(String(9), default=None)
    invoice_number: Mapped[str | None] = mapped_column(String(60), default=None)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    encounter_reference: Mapped[str | None] = mapped_column(String(120), default=None)
    reason: Mapped[str | None] = mapped_column(String(500), default=None)
    corrects_entry_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    related_entry_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    dea_form: Mapped[str | None] = mapped_column(String(2000), default=None)


class InventoryCount(TenantMixin, Base):
    __tablename__ = "inventory_counts"
    __table_args__ = (_tenant_fk("location_id", "inventory_locations"),)

    location_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(32), default=CountStatus.open.value)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    explanation: Mapped[str | None] = mapped_column(String(2000), default=None)
    first_signer_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    first_signed_at: Mapped[datetime | None] = mapped_column(default=None)
    second_signer_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    second_signed_at: Mapped[datetime | None] = mapped_column(default=None)


class InventoryCountLine(TenantMixin, Base):
    __tablename__ = "inventory_count_lines"
    __table_args__ = (
        _tenant_fk("count_id", "inventory_counts"),
        _tenant_fk("lot_id", "inventory_lots"),
        _tenant_fk("adjustment_entry_id", "inventory_ledger_entries"),
        UniqueConstraint("organization_id", "count_id", "lot_id"),
    )

    count_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    lot_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # The balance version the expected quantity was read at: stock moving meanwhile voids the count.
    balance_version: Mapped[int] = mapped_column()
    expected_mg: Mapped[Decimal] = mapped_column(MG)
    counted_mg: Mapped[Decimal | None] = mapped_column(MG, default=None)
    # An estimate of an opened container (21 CFR 1304.11(e)(3)), and what the container holds.
    estimated: Mapped[bool] = mapped_column(default=False, server_default="0")
    container_units: Mapped[Decimal | None] = mapped_column(MG, default=None)
    adjustment_entry_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
