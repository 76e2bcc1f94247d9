"""SQLAlchemy models (2.0-style usage on SQLAlchemy 1.4).

Schema changes go through a new migration in `bot/db/migrations/versions/`.
Every time column is `UTCDateTime`: aware in Python, UTC in the database.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, declared_attr, relationship

from bot.db.types import UTCDateTime

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
    fee_valid_to = Column(Date)  # a fee that ends on a day of its own (e.g. a discount)
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


class _ProcedurePart:
    """A numbered part of a procedure record: an alias, a document, a step or a form."""

    id = Column(Integer, primary_key=True)
    position = Column(Integer, nullable=False)

    @declared_attr
    def procedure_code(cls):  # noqa: N805 - SQLAlchemy calls it on the class
        return Column(String(40), ForeignKey("procedures.code", ondelete="CASCADE"), nullable=False, index=True)


class AliasRow(_ProcedurePart, Base):
    __tablename__ = "procedure_aliases"
    text = Column(Text, nullable=False)


class DocumentRow(_ProcedurePart, Base):
    __tablename__ = "procedure_documents"
    name = Column(Text, nullable=False)
    kind = Column(String(40), nullable=False)
    quantity = Column(Integer, nullable=False)
    notes = Column(Text)


class StepRow(_ProcedurePart, Base):
    __tablename__ = "procedure_steps"
    text = Column(Text, nullable=False)


class FormRow(_ProcedurePart, Base):
    __tablename__ = "procedure_forms"
    name = Column(Text, nullable=False)
    where = Column(Text, nullable=False)
    form_code = Column(String(80))


class CatalogMetaRow(Base):
    """One row: when the catalog was last loaded and a fingerprint of its content."""

    __tablename__ = "catalog_meta"
    id = Column(Integer, primary_key=True)
    loaded_at = Column(UTCDateTime, nullable=False)
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
    # pieces of a split message already delivered; a retry resumes after them
    parts_sent = Column(Integer, nullable=False, default=0, server_default="0")
    last_error = Column(Text)
    created_at = Column(UTCDateTime, nullable=False)
    next_attempt_at = Column(UTCDateTime, nullable=False)
    sent_at = Column(UTCDateTime)


# --- Dossiers, feedback and ratings ---


class DossierRow(Base):
    """A dossier handed in at the one-stop desk; `code` is canonical (bot.core.dossiers.codes)."""

    __tablename__ = "dossiers"
    __table_args__ = (UniqueConstraint("code", name="uq_dossiers_code"),)
    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False)
    procedure_code = Column(String(40), nullable=False)
    applicant_name = Column(String(200), nullable=False)
    phone = Column(String(20), nullable=False)  # never shown whole
    status = Column(String(20), nullable=False, index=True)
    received_at = Column(UTCDateTime, nullable=False)
    due_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    finished_at = Column(UTCDateTime)
    missed_due_at = Column(UTCDateTime)
    unit = Column(String(200))
    note = Column(Text)
    return_method = Column(String(10), nullable=False, default="desk")
    created_at = Column(UTCDateTime, nullable=False)


class DossierHistoryRow(Base):
    """One row per change of a dossier: old and new status, when, and by which source."""

    __tablename__ = "dossier_history"
    id = Column(Integer, primary_key=True)
    dossier_id = Column(Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True)
    old_status = Column(String(20))  # None when the dossier was created
    new_status = Column(String(20), nullable=False)
    changed_at = Column(UTCDateTime, nullable=False)
    source = Column(String(200), nullable=False)  # e.g. import:dossiers.csv, cli, api, demo
    fields = Column(Text, nullable=False)  # which fields changed, comma separated


class DossierApologyRow(Base):
    """An apology letter staff sent for a late dossier (with a new appointment): who, when, why."""

    __tablename__ = "dossier_apologies"
    id = Column(Integer, primary_key=True)
    dossier_id = Column(Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True)
    sent_at = Column(UTCDateTime, nullable=False)
    sent_by = Column(String(100), nullable=False)  # the staff member's full name
    missed_due_at = Column(UTCDateTime, nullable=False)
    new_due_at = Column(UTCDateTime, nullable=False)
    reason = Column(Text)
    notified = Column(Integer, nullable=False, default=0)  # messages queued to subscribed conversations


class DossierSubscriptionRow(Base):
    """A conversation that asked to be told when a dossier changes (push channels only)."""

    __tablename__ = "dossier_subscriptions"
    __table_args__ = (UniqueConstraint("dossier_id", "sender_id", name="uq_dossier_subscription"),)
    id = Column(Integer, primary_key=True)
    dossier_id = Column(Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True)
    sender_id = Column(String(200), nullable=False)
    channel = Column(String(40), nullable=False)
    recipient_id = Column(String(200), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class DossierCheckFailureRow(Base):
    """A failed dossier check, for the limits (bot.core.dossiers.access): by whom, for which code."""

    __tablename__ = "dossier_check_failures"
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(200), nullable=False, index=True)
    failed_at = Column(UTCDateTime, nullable=False, index=True)
    dossier_code = Column(String(40), index=True)  # canonical; None when the typed code was not one
    client_ip = Column(String(64), index=True)  # the kiosk's address, when the message came from the kiosk


class DossierVerificationRow(Base):
    """A successful dossier check: this conversation may follow this dossier until `expires_at`."""

    __tablename__ = "dossier_verifications"
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(200), nullable=False, index=True)
    dossier_code = Column(String(40), nullable=False)
    verified_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False, index=True)


class RateLimitHitRow(Base):
    """One counted request under a key (e.g. `kiosk-ip:10.0.0.7`), for limits shared by every process."""

    __tablename__ = "rate_limit_hits"
    id = Column(Integer, primary_key=True)
    key = Column(String(200), nullable=False, index=True)
    at = Column(UTCDateTime, nullable=False, index=True)


class FeedbackRow(Base):
    """A feedback ticket (phản ánh, kiến nghị), numbered PAKN-YYYYMMDD-NNNN."""

    __tablename__ = "feedback_tickets"
    __table_args__ = (UniqueConstraint("ticket", name="uq_feedback_tickets_ticket"),)
    id = Column(Integer, primary_key=True)
    ticket = Column(String(20), nullable=False)
    sender_id = Column(String(200), nullable=False, index=True)
    channel = Column(String(40), nullable=False)
    content = Column(Text, nullable=False)
    about = Column(String(300))  # a dossier code or a procedure, as the citizen gave it
    dossier_code = Column(String(40))
    contact = Column(String(200))  # phone or e-mail; never shown whole
    status = Column(String(20), nullable=False, default="received", index=True)  # received | answered
    created_at = Column(UTCDateTime, nullable=False)
    answer = Column(Text)
    answered_at = Column(UTCDateTime)


class RatingRow(Base):
    """A citizen's satisfaction rating (1–5), one per conversation, with channel and topic."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("sender_id", name="uq_ratings_sender_id"),)
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(200), nullable=False)
    channel = Column(String(40), nullable=False, index=True)
    topic = Column(String(40), nullable=False, index=True)  # a procedure code, or "khac"
    context = Column(String(20), nullable=False)  # procedure_answer | dossier_lookup
    level = Column(Integer, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class ChannelTokenRow(Base):
    """A messaging channel's current API tokens, shared by every process that sends.

    Zalo OA access tokens last about a day and each refresh token works once, so
    the Rasa server and the notification worker read and rotate one stored pair.
    """

    __tablename__ = "channel_tokens"
    channel = Column(String(40), primary_key=True)  # zalo
    access_token = Column(Text, nullable=False)
    refresh_token = Column(Text, nullable=False)
    expires_at = Column(UTCDateTime)  # None when unknown
    updated_at = Column(UTCDateTime, nullable=False)


# --- The published tier (national-portal records, see bot.core.published) ---


class PublishedProcedureRow(Base):
    """A procedure as published on the national portal, parsed; `data` is its JSON (`PublishedProcedure.to_dict`)."""

    __tablename__ = "published_procedures"
    code = Column(String(40), primary_key=True)
    name = Column(Text, nullable=False)
    field = Column(String(300), nullable=False)
    collected_on = Column(Date, nullable=False, index=True)
    flagged = Column(Boolean, nullable=False, default=False)
    content_hash = Column(String(64), nullable=False)
    data = Column(Text, nullable=False)
    imported_at = Column(UTCDateTime, nullable=False)  # first stored
    updated_at = Column(UTCDateTime, nullable=False)  # last changed by an import


class PortalImportRow(Base):
    """One real run of `bot procedures import-portal`: who, when, from where, what changed."""

    __tablename__ = "portal_imports"
    id = Column(Integer, primary_key=True)
    run_by = Column(String(200), nullable=False)
    run_at = Column(UTCDateTime, nullable=False)
    source = Column(Text, nullable=False)
    files = Column(Integer, nullable=False)
    added = Column(Integer, nullable=False)
    changed = Column(Integer, nullable=False)
    removed = Column(Integer, nullable=False)
    unchanged = Column(Integer, nullable=False)
    flagged = Column(Integer, nullable=False)
    fingerprint = Column(String(64), nullable=False)  # of every published record after the run


class ProcessedEventRow(Base):
    """A webhook event already accepted (Zalo's msg_id), so a retry or a replay, even after a
    restart, is not answered twice. Kept for a while after `received_at`, then pruned."""

    __tablename__ = "processed_events"
    channel = Column(String(20), primary_key=True)  # zalo
    event_id = Column(String(100), primary_key=True)
    received_at = Column(UTCDateTime, nullable=False, index=True)


# --- The staff console (bot.web.staff): accounts, the audit log, the cookie secret ---


class StaffAccountRow(Base):
    """A person who logs in to the staff console (bot.core.accounts); `password_hash` is argon2."""

    __tablename__ = "staff_accounts"
    __table_args__ = (UniqueConstraint("name", name="uq_staff_accounts_name"),)
    id = Column(Integer, primary_key=True)
    name = Column(String(40), nullable=False)  # login name, lower case
    full_name = Column(String(100), nullable=False)
    role = Column(String(20), nullable=False)  # staff | trainer | admin
    password_hash = Column(String(200), nullable=False)
    disabled = Column(Boolean, nullable=False, default=False)
    failed_logins = Column(Integer, nullable=False, default=0)  # wrong passwords in a row
    locked_until = Column(UTCDateTime)
    session_version = Column(Integer, nullable=False, default=1)  # bumped to end every open session
    created_at = Column(UTCDateTime, nullable=False)
    changed_at = Column(UTCDateTime, nullable=False)
    last_login_at = Column(UTCDateTime)


class AuditLogRow(Base):
    """One change by a person (bot.core.audit): who, when, what, which field, old and new value, why."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, index=True)
    actor = Column(String(100), nullable=False, index=True)
    action = Column(String(40), nullable=False)
    object = Column(String(200), nullable=False)
    field = Column(String(100))
    old_value = Column(Text)
    new_value = Column(Text)
    reason = Column(Text)


class AppSecretRow(Base):
    """A secret the application made for itself (the staff console's cookie key when STAFF_COOKIE_SECRET is unset),
    kept so that a restart or a second process uses the same one."""

    __tablename__ = "app_secrets"
    name = Column(String(40), primary_key=True)
    value = Column(String(200), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class ProcedureCheckRow(Base):
    """The last time a person checked a curated record against the official page ("Đánh dấu đã kiểm tra hôm
    nay"). `content_hash` is of the record as checked, without its date: reloading the YAML catalog keeps
    the later date only for a record whose content is still the one that was checked."""

    __tablename__ = "procedure_checks"
    code = Column(String(40), primary_key=True)
    checked_on = Column(Date, nullable=False)
    checked_by = Column(String(100), nullable=False)  # the person's full name, as shown to staff
    checked_at = Column(UTCDateTime, nullable=False)
    content_hash = Column(String(64), nullable=False)


class ProcedureEditRow(Base):
    """A curated record changed in the staff console since the YAML files were last loaded.

    `file_hash` is the content hash (`catalog_store.content_hash`) of the record as the files said
    it when the first console edit was made. `bot procedures load` keeps the console's record while
    the files still say that (nobody has changed them since), drops this row once the files say what
    the console says (the repository was updated from an export), and otherwise keeps the console's
    record and reports it, unless told to prefer the files.
    """

    __tablename__ = "procedure_edits"
    code = Column(String(40), primary_key=True)
    file_hash = Column(String(64), nullable=False)
    edited_by = Column(String(100), nullable=False)  # the account name of the last edit
    edited_at = Column(UTCDateTime, nullable=False)
