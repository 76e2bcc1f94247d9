"""The procedure catalog: record schema and loading of `data/procedures/*.yml`.

One YAML file per field (lĩnh vực). Every file is validated in full before
anything is returned; one bad field anywhere raises `CatalogError` naming the
file, the record and the field, and nothing is loaded.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path
from typing import Iterable, List, Literal, Optional

import yaml
from pydantic import BaseModel, Field, ValidationError, validator

from bot.core.clock import today_local
from bot.core.text import fold

# What a procedure code is: a national code such as 1.001193, or, for a record
# whose code could not be verified, a local placeholder such as LOCAL-KHAI-TU.
# At most 40 characters, the width of every procedure-code column.
NATIONAL_CODE_PATTERN = r"\d\.\d{6}"
PROCEDURE_CODE_PATTERN = rf"{NATIONAL_CODE_PATTERN}|LOCAL-[A-Z0-9-]{{1,34}}"
PROCEDURE_CODE_RE = re.compile(PROCEDURE_CODE_PATTERN)  # use .fullmatch

# Which level of government the portal files a procedure under ("Cấp thực hiện"):
# "Cấp xã" -> xa, "Cấp tỉnh" -> tinh, "Cấp bộ" -> bo (a ministry or one of its
# departments decides, even when a province or commune takes the application).
# trung_uong is the older catalog word for a central body; prefer bo for "Cấp bộ".
Level = Literal["xa", "tinh", "bo", "trung_uong"]
OnlineLevel = Literal["toan_trinh", "mot_phan", "truc_tiep"]
DocumentKind = Literal["ban_chinh", "ban_sao", "ban_sao_chung_thuc", "ban_chinh_hoac_ban_sao", "xuat_trinh"]

# Parts of a record that can be marked unverified. The assistant does not state
# an unverified part; it tells the citizen to confirm it with the agency.
ASPECTS = (
    "code",
    "agency",
    "where_to_submit",
    "processing_time",
    "fees",
    "documents",
    "steps",
    "online",
    "forms",
    "legal_basis",
)
Aspect = Literal[ASPECTS]  # type: ignore[valid-type]

LEVEL_LABELS = {"xa": "cấp xã", "tinh": "cấp tỉnh", "bo": "cấp bộ", "trung_uong": "trung ương"}
DOCUMENT_KIND_LABELS = {
    "ban_chinh": "bản chính",
    "ban_sao": "bản sao",
    "ban_sao_chung_thuc": "bản sao có chứng thực",
    "ban_chinh_hoac_ban_sao": "bản chính hoặc bản sao",
    "xuat_trinh": "mang theo để xuất trình",
}
ONLINE_LABELS = {
    "toan_trinh": "trực tuyến toàn trình (làm trọn trên mạng)",
    "mot_phan": "trực tuyến một phần (nộp trên mạng, vẫn phải đến nơi để hoàn tất)",
    "truc_tiep": "chỉ làm trực tiếp",
}


# A name longer than this is shown up to a clause break within it, then "…": the
# portal's official name of 1.013949 runs to 91 words. The record keeps the full name.
MAX_NAME_WORDS = 45


def short_name(name: str, max_words: int = MAX_NAME_WORDS) -> str:
    """The name as buttons and answer titles show it (see MAX_NAME_WORDS)."""
    words = name.split()
    if len(words) <= max_words:
        return name
    head = " ".join(words[:max_words])
    cut = max(head.rfind(","), head.rfind(";"))
    if cut > 0:
        head = head[:cut]
    return head.rstrip(" ,;") + "…"


class _Strict(BaseModel):
    class Config:
        extra = "forbid"
        anystr_strip_whitespace = True
        min_anystr_length = 1
        frozen = True


class Document(_Strict):
    name: str
    kind: DocumentKind = "ban_chinh"
    quantity: int = Field(1, ge=1, le=20)
    notes: Optional[str] = None


class ProcessingTime(_Strict):
    text: str
    working_days: Optional[float] = Field(None, ge=0, le=365)


# "đến hết 31/12/2026", "đến hết ngày 31/12/2026": a stated fact that ends on that day.
_ENDS_ON_RE = re.compile(r"đến hết (?:ngày )?(\d{1,2})/(\d{1,2})/(\d{4})", re.IGNORECASE)


def end_dates_mentioned(text: str) -> list[dt.date]:
    """Days a text says something holds until ("đến hết 31/12/2026"); impossible dates are skipped."""
    days = []
    for day, month, year in _ENDS_ON_RE.findall(unicodedata.normalize("NFC", text)):
        try:
            days.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return days


class Fee(_Strict):
    text: str
    amount_vnd: Optional[int] = Field(None, ge=0)
    exemptions: Optional[str] = None
    # The last day this fee entry holds, e.g. while a temporary reduction lasts.
    # After it the assistant does not state the fee and says it is being updated.
    valid_to: Optional[dt.date] = None

    @validator("valid_to", always=True)
    def _end_date_is_carried(cls, v: Optional[dt.date], values: dict) -> Optional[dt.date]:
        said = end_dates_mentioned(" ".join(values.get(k) or "" for k in ("text", "exemptions")))
        if said and (v is None or v > min(said)):
            raise ValueError(
                f"the fee text holds only until {min(said).isoformat()}: set fees.valid_to to that day at the latest"
            )
        return v


class Online(_Strict):
    available: bool
    level: Optional[OnlineLevel] = None
    portal_url: Optional[str] = None

    @validator("portal_url")
    def _https(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not v.startswith("https://"):
            raise ValueError("must be an https:// link")
        return v


class Form(_Strict):
    name: str
    where: str
    code: Optional[str] = None


class Procedure(_Strict):
    # A record with a LOCAL- placeholder code lists "code" in `unverified`.
    code: str = Field(..., regex=rf"^(?:{PROCEDURE_CODE_PATTERN})$")
    name: str
    field: str
    aliases: List[str] = Field(..., min_items=1)
    keywords: List[str] = []
    level: Level
    agency: str
    where_to_submit: str
    processing_time: ProcessingTime
    fees: Fee
    documents: List[Document] = Field(..., min_items=1)
    steps: List[str] = Field(..., min_items=1)
    online: Online
    forms: List[Form] = []
    legal_basis: List[str] = Field(..., min_items=1)
    notes: Optional[str] = None
    other_codes: List[str] = []
    source_url: str
    verified_on: dt.date
    valid_from: dt.date
    valid_to: Optional[dt.date] = None
    unverified: List[Aspect] = []  # type: ignore[valid-type]

    @validator("source_url")
    def _official(cls, v: str) -> str:
        if not v.startswith("https://"):
            raise ValueError("must be an https:// link to the official page")
        return v

    @validator("verified_on")
    def _not_future(cls, v: dt.date) -> dt.date:
        if v > today_local():
            raise ValueError("verification date is in the future")
        return v

    # Cross-field checks are field validators, not a root validator, so that the
    # error names the field to fix instead of "__root__".
    @validator("valid_to")
    def _ends_after_start(cls, v: Optional[dt.date], values: dict) -> Optional[dt.date]:
        start = values.get("valid_from")
        if v is not None and start is not None and v < start:
            raise ValueError("valid_to is before valid_from")
        return v

    @validator("unverified", always=True)
    def _local_code_unverified(cls, v: list, values: dict) -> list:
        code = values.get("code") or ""
        if code.startswith("LOCAL-") and "code" not in v:
            raise ValueError(f"code {code} is a LOCAL- placeholder: list 'code' in unverified")
        return v

    def is_verified(self, aspect: str) -> bool:
        return aspect not in self.unverified

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def expired_parts(self, day: dt.date) -> tuple[str, ...]:
        """Parts whose own end date has passed on `day`: they are not stated any more."""
        fee_end = self.fees.valid_to
        return ("fees",) if fee_end is not None and day > fee_end else ()

    @property
    def short_name(self) -> str:
        return short_name(self.name)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def tier(self) -> str:
        """Curated: written and checked by staff (a published record, `bot.core.published`, says "published")."""
        return "curated"


class CatalogError(ValueError):
    """Raised with every problem found; `problems` lists (file, record, field, message)."""

    def __init__(self, problems: list[tuple[str, str, str, str]]):
        self.problems = problems
        lines = [f"{f}: record {r}: field '{fld}': {msg}" for f, r, fld, msg in problems]
        super().__init__("Catalog not loaded:\n" + "\n".join(lines))


def _record_label(index: int, raw: object) -> str:
    code = raw.get("code") if isinstance(raw, dict) else None
    return f"#{index + 1} ({code})" if code else f"#{index + 1}"


class _YamlLoader(yaml.SafeLoader):
    """Safe loader that leaves dates as text: pydantic then reports an impossible
    date such as 2024-13-01 on its record and field instead of YAML raising."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_labelled(path: Path) -> tuple[list[tuple[str, Procedure]], list[tuple[str, str, str, str]]]:
    name = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)  # noqa: S506 - safe loader
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        return [], [(name, "-", "-", f"cannot read YAML: {exc}")]
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        return [], [(name, "-", "procedures", "file must be a mapping with a 'procedures' list")]
    field_name = data.get("field")
    if not isinstance(field_name, str) or not field_name.strip():
        return [], [(name, "-", "field", "file must name its field")]
    procedures: list[tuple[str, Procedure]] = []
    problems: list[tuple[str, str, str, str]] = []
    for i, raw in enumerate(data["procedures"]):
        label = _record_label(i, raw)
        if not isinstance(raw, dict):
            problems.append((name, label, "-", "record must be a mapping"))
            continue
        try:
            procedures.append((label, Procedure(**{"field": field_name, **raw})))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or "-"
                problems.append((name, label, loc, err["msg"]))
    return procedures, problems


def parse_file(path: Path) -> tuple[list[Procedure], list[tuple[str, str, str, str]]]:
    """Parse one field file; return its procedures and the problems found."""
    labelled, problems = _parse_labelled(path)
    return [p for _, p in labelled], problems


def load_catalog(directory: Path) -> list[Procedure]:
    """Load and validate every `*.yml` file in `directory`, all or nothing."""
    directory = Path(directory)
    files = sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogError([(str(directory), "-", "-", "no procedure files found")])
    procedures: list[Procedure] = []
    problems: list[tuple[str, str, str, str]] = []
    seen: dict[str, str] = {}
    for path in files:
        parsed, file_problems = _parse_labelled(path)
        problems.extend(file_problems)
        for label, proc in parsed:
            if proc.code in seen:
                problems.append((str(path), label, "code", f"duplicate code, also in {seen[proc.code]}"))
            else:
                seen[proc.code] = f"{path} record {label}"
            procedures.append(proc)
    if problems:
        raise CatalogError(problems)
    return procedures


def procedures_by_code(procedures: Iterable[Procedure]) -> dict[str, Procedure]:
    return {p.code: p for p in procedures}


# --- writing the files back -----------------------------------------------------------------

GENERATED_NOTE = ("# Xuất từ trang quản lý (bot procedures export-yaml). Lĩnh vực: {field}.\n"
                  "# Sửa được bằng tay như các tệp khác; bot procedures load kiểm tra lại toàn bộ.\n")


def field_files(directory: Path) -> dict[str, str]:
    """Which file of `directory` holds each field now (field -> file name); unreadable files are skipped."""
    names = {}
    for path in sorted(Path(directory).glob("*.yml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)  # noqa: S506 - safe loader
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and isinstance(data.get("field"), str):
            names.setdefault(data["field"].strip(), path.name)
    return names


def _slug(field_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(field_name)).strip("-")[:60] or "linh-vuc"


def plain_data(value, *, drop_empty: bool = False):
    """JSON data of a record with whole floats as ints (a record read back from the database, 5.0 days,
    looks like its file, 5); with drop_empty, keys whose value is None or [] are left out."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [plain_data(v, drop_empty=drop_empty) for v in value]
    if isinstance(value, dict):
        return {k: plain_data(v, drop_empty=drop_empty) for k, v in value.items()
                if not (drop_empty and (v is None or v == []))}
    return value


def catalog_files(procedures: Iterable[Procedure], names: dict[str, str] | None = None) -> dict[str, str]:
    """The YAML files of `procedures` in the layout of data/procedures: one file per field (named as in `names`,
    else after the field), records by code. `load_catalog` reads them back to the same records."""
    by_field: dict[str, list[Procedure]] = {}
    for p in procedures:
        by_field.setdefault(p.field, []).append(p)
    names = dict(names or {})
    files: dict[str, str] = {}
    for field_name in sorted(by_field):
        file_name = names.get(field_name) or f"{_slug(field_name)}.yml"
        while file_name in files:
            file_name = file_name[:-4] + "-2.yml"
        records = [plain_data(json.loads(p.json(exclude={"field"})), drop_empty=True)
                   for p in sorted(by_field[field_name], key=lambda p: p.code)]
        body = yaml.safe_dump({"field": field_name, "procedures": records}, allow_unicode=True, sort_keys=False,
                              width=120)
        files[file_name] = GENERATED_NOTE.format(field=field_name) + body
    return files
