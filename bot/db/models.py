"""SQLAlchemy models (2.0-style usage on SQLAlchemy 1.4).

Schema changes go through a new migration in `bot/db/migrations/versions/`.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class ProcedureRow(Base):
    __tablename__ = "procedures"

    code = Column(String(40), primary_key=True)
    name = Column(Text, nullable=False)
    field = Column(String(200), nullable=False)
    level = Column(String(20), nullable=False)
    agency = Column(Text, nullable=False)
    where_to_submit = Column(Text, nullable=False)
    processing_time_text = Column(Text, nullable=False)
    processing_working_days = Column(Float)
    fee_text = Column(Text, nullable=False)
    fee_amount_vnd = Column(Integer)
    fee_exemptions = Column(Text)
    online_available = Column(Boolean, nullable=False)
    online_level = Column(String(20))
    portal_url = Column(Text)
    notes = Column(Text)
    legal_basis = Column(Text, nullable=False)  # JSON list
    keywords = Column(Text, nullable=False)  # JSON list
    other_codes = Column(Text, nullable=False)  # JSON list
    unverified = Column(Text, nullable=False)  # JSON list of aspect names
    source_url = Column(Text, nullable=False)
    verified_on = Column(Date, nullable=False)
    valid_from = Column(Date, nullable=False)
    valid_to = Column(Date)

    aliases = relationship("AliasRow", cascade="all, delete-orphan", order_by="AliasRow.position")
    documents = relationship("DocumentRow", cascade="all, delete-orphan", order_by="DocumentRow.position")
    steps = relationship("StepRow", cascade="all, delete-orphan", order_by="StepRow.position")
    forms = relationship("FormRow", cascade="all, delete-orphan", order_by="FormRow.position")


class AliasRow(Base):
    __tablename__ = "procedure_aliases"
    id = Column(Integer, primary_key=True)
    procedure_code = Column(String(40), ForeignKey("procedures.code", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)


class DocumentRow(Base):
    __tablename__ = "procedure_documents"
    id = Column(Integer, primary_key=True)
    procedure_code = Column(String(40), ForeignKey("procedures.code", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    name = Column(Text, nullable=False)
    kind = Column(String(40), nullable=False)
    quantity = Column(Integer, nullable=False)
    notes = Column(Text)


class StepRow(Base):
    __tablename__ = "procedure_steps"
    id = Column(Integer, primary_key=True)
    procedure_code = Column(String(40), ForeignKey("procedures.code", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)


class FormRow(Base):
    __tablename__ = "procedure_forms"
    id = Column(Integer, primary_key=True)
    procedure_code = Column(String(40), ForeignKey("procedures.code", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    name = Column(Text, nullable=False)
    where = Column(Text, nullable=False)
    form_code = Column(String(80))


class CatalogMetaRow(Base):
    """One row: when the catalog was last loaded and a fingerprint of its content."""

    __tablename__ = "catalog_meta"
    id = Column(Integer, primary_key=True)
    loaded_at = Column(DateTime, nullable=False)
    fingerprint = Column(String(64), nullable=False)
    procedure_count = Column(Integer, nullable=False)


class OutboxRow(Base):
    """A message waiting to be pushed to a citizen by a channel adapter.

    Written by the core when a dossier changes or staff answer feedback;
    read and marked by the channel adapters (Telegram, Zalo). Survives restarts.
    """

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),)
    id = Column(Integer, primary_key=True)
    channel = Column(String(40), nullable=False, index=True)  # telegram | zalo
    recipient_id = Column(String(200), nullable=False)
    text = Column(Text, nullable=False)
    dedupe_key = Column(String(200), nullable=False)
    status = Column(String(20), nullable=False, default="pending", index=True)  # pending | sent | failed
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    created_at = Column(DateTime, nullable=False)
    next_attempt_at = Column(DateTime, nullable=False)
    sent_at = Column(DateTime)
