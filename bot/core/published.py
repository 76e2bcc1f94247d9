"""The published tier: procedure records imported from the national portal.

A curated record (`bot.core.catalog.Procedure`, written and checked by staff)
and a published record (`PublishedProcedure`, parsed from a portal export by
`bot.core.portal`, reviewed by nobody) share what the matcher and the actions
need: `code`, `name`, `field`, `aliases`, `keywords`, `tier`, `source_url`.
`merge_tiers` builds the one catalog they use: a curated record overrides a
published one with the same code.

A published record keeps only what the importer parsed with confidence; an
aspect it could not parse is None (its raw text is in `raw`), and an answer
then points the citizen to the official page or the one-stop desk instead.
`flags` name the points the current law has overtaken (a paper that no longer
exists): those points are never quoted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Iterable, Mapping, Sequence

from bot.core.catalog import short_name

CURATED = "curated"
PUBLISHED = "published"
TIERS = (CURATED, PUBLISHED)

# Ways to submit, as the portal names them.
CHANNEL_LABELS = {"truc_tuyen": "Trực tuyến", "truc_tiep": "Trực tiếp", "buu_chinh": "Qua bưu chính"}
# Time units the portal writes after a number; a bare number has no unit (None).
TIME_UNIT_LABELS = {
    "ngay_lam_viec": "ngày làm việc",
    "ngay": "ngày",
    "gio_lam_viec": "giờ làm việc",
    "gio": "giờ",
    "thang": "tháng",
    "nam": "năm",
}

# Flags: a record point that the current law has overtaken. The point is never quoted.
FLAG_LABELS = {
    "so_ho_khau": "nhắc sổ hộ khẩu hoặc sổ tạm trú (đã bỏ từ 01/01/2023)",
    "cmnd": "nhắc chứng minh nhân dân (đã hết giá trị từ 01/01/2025)",
}
# Parts of a published record a flag can point at.
FLAG_PARTS = {"documents": "thành phần hồ sơ", "steps": "trình tự thực hiện", "channels": "cách thức thực hiện"}


@dataclass(frozen=True)
class ProcessingTime:
    """A time as published: `text` ("5 Ngày làm việc"), the number, and its unit (None: the page gave none)."""

    text: str
    amount: float
    unit: str | None

    @property
    def label(self) -> str | None:
        """"5 ngày làm việc"; None when the unit is unknown (a bare number must not be stated)."""
        if self.unit is None:
            return None
        amount = int(self.amount) if self.amount == int(self.amount) else self.amount
        return f"{amount} {TIME_UNIT_LABELS[self.unit]}".replace(".", ",")


@dataclass(frozen=True)
class PublishedFee:
    """`free` or an `amount_vnd`, with the note the portal wrote beside it."""

    free: bool
    amount_vnd: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Channel:
    """One way to submit (a row of the portal's table). `time` / `fee` are None when not parsed with confidence."""

    kind: str  # truc_tuyen | truc_tiep | buu_chinh
    time: ProcessingTime | None = None
    fee: PublishedFee | None = None
    description: str | None = None


@dataclass(frozen=True)
class PublishedDocument:
    """A paper to hand in. `originals`/`copies` as published; a row with neither is a note."""

    name: str
    originals: int = 0
    copies: int = 0
    has_form: bool = False  # the portal attaches a form (mẫu) for it
    group: str | None = None  # the heading it is listed under ("Hồ sơ của người nhận con nuôi")
    flags: tuple[str, ...] = ()

    @property
    def is_note(self) -> bool:
        return self.originals == 0 and self.copies == 0


@dataclass(frozen=True)
class Flag:
    code: str  # a FLAG_LABELS key
    part: str  # a FLAG_PARTS key

    @property
    def label(self) -> str:
        return f"{FLAG_PARTS[self.part]}: {FLAG_LABELS[self.code]}"


@dataclass(frozen=True)
class PublishedProcedure:
    """A procedure as published on the portal, parsed. None means "not parsed with confidence"."""

    code: str
    name: str
    field: str
    levels: tuple[str, ...]  # as published: "Cấp xã", "Cấp tỉnh", "Cấp bộ", ...
    agency: str | None
    where_to_submit: str | None
    channels: tuple[Channel, ...] | None
    documents: tuple[PublishedDocument, ...] | None
    steps: tuple[str, ...] | None
    legal_basis: tuple[str, ...]
    results: tuple[str, ...]
    source_url: str
    collected_on: dt.date
    decision: str | None = None  # the decision that published it (số quyết định)
    flags: tuple[Flag, ...] = ()
    raw: Mapping[str, str] = field(default_factory=dict)  # portal field -> text, for parts not parsed
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    tier = PUBLISHED
    valid_to = None

    @property
    def short_name(self) -> str:
        """The name as buttons and answer titles show it (see `catalog.short_name`)."""
        return short_name(self.name)

    @property
    def verified_on(self) -> dt.date:
        """The date the facts were taken from the portal (what staleness is measured from)."""
        return self.collected_on

    def is_valid_on(self, day: dt.date) -> bool:
        return True

    def is_flagged(self, part: str) -> bool:
        return any(f.part == part for f in self.flags)

    @property
    def has_forms(self) -> bool:
        return any(d.has_form for d in self.documents or ())

    # --- storage -----------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain JSON-ready data; `from_dict(to_dict())` gives the record back."""
        data = asdict(self)
        data["collected_on"] = self.collected_on.isoformat()
        data["raw"] = dict(self.raw)
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> "PublishedProcedure":
        def channel(c: Mapping) -> Channel:
            return Channel(
                kind=c["kind"],
                time=ProcessingTime(**c["time"]) if c.get("time") else None,
                fee=PublishedFee(**c["fee"]) if c.get("fee") else None,
                description=c.get("description"),
            )

        def document(d: Mapping) -> PublishedDocument:
            return PublishedDocument(**{**d, "flags": tuple(d.get("flags") or ())})

        channels = data.get("channels")
        documents = data.get("documents")
        steps = data.get("steps")
        return cls(
            code=data["code"],
            name=data["name"],
            field=data["field"],
            levels=tuple(data.get("levels") or ()),
            agency=data.get("agency"),
            where_to_submit=data.get("where_to_submit"),
            channels=None if channels is None else tuple(channel(c) for c in channels),
            documents=None if documents is None else tuple(document(d) for d in documents),
            steps=None if steps is None else tuple(steps),
            legal_basis=tuple(data.get("legal_basis") or ()),
            results=tuple(data.get("results") or ()),
            source_url=data["source_url"],
            collected_on=dt.date.fromisoformat(data["collected_on"]),
            decision=data.get("decision"),
            flags=tuple(Flag(**f) for f in data.get("flags") or ()),
            raw=dict(data.get("raw") or {}),
            aliases=tuple(data.get("aliases") or ()),
            keywords=tuple(data.get("keywords") or ()),
        )


# Field names staff read in a dry run ("changed: documents, channels").
FIELD_LABELS = {
    "name": "tên",
    "field": "lĩnh vực",
    "levels": "cấp thực hiện",
    "agency": "cơ quan thực hiện",
    "where_to_submit": "nơi tiếp nhận",
    "channels": "cách thức nộp, thời hạn, phí",
    "documents": "thành phần hồ sơ",
    "steps": "trình tự thực hiện",
    "legal_basis": "căn cứ pháp lý",
    "results": "kết quả",
    "source_url": "đường dẫn",
    "collected_on": "ngày lấy thông tin",
    "decision": "số quyết định",
    "flags": "đánh dấu",
    "raw": "văn bản gốc chưa đọc được",
    "aliases": "tên gọi khác",
    "keywords": "từ khóa",
}


def changed_fields(before: PublishedProcedure, after: PublishedProcedure) -> list[str]:
    """Names of the fields that differ, in declaration order."""
    old, new = before.to_dict(), after.to_dict()
    return [name for name in FIELD_LABELS if old.get(name) != new.get(name)]


def merge_tiers(curated: Iterable, published: Iterable[PublishedProcedure]) -> list:
    """The catalog the matcher and the actions use: every curated record, then
    every published record whose code no curated record has."""
    curated = list(curated)
    taken = {p.code for p in curated}
    return curated + [p for p in published if p.code not in taken]


def tier_of(record) -> str:
    """`curated` or `published`."""
    return getattr(record, "tier", CURATED)


def tier_counts(records: Sequence) -> dict[str, int]:
    counts = dict.fromkeys(TIERS, 0)
    for r in records:
        counts[tier_of(r)] += 1
    return counts
