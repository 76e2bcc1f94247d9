"""What an import of published records would change: added, changed field by field, removed.

`plan_import` compares the parsed records (`bot.core.portal.parse_record`) with
the stored ones; the command (`bot procedures import-portal`) shows the plan
and the store (`bot.db.published_store`) carries it out. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from bot.core.published import PublishedProcedure, changed_fields


@dataclass(frozen=True)
class Change:
    code: str
    name: str
    fields: tuple[str, ...]  # FIELD_LABELS keys


@dataclass
class ImportPlan:
    """What storing `incoming` would do to the stored published records."""

    added: list[PublishedProcedure] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[PublishedProcedure] = field(default_factory=list)
    unchanged: int = 0
    incoming: list[PublishedProcedure] = field(default_factory=list)

    @property
    def flagged(self) -> list[PublishedProcedure]:
        return [p for p in self.incoming if p.flags]

    @property
    def writes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed),
                "unchanged": self.unchanged, "flagged": len(self.flagged)}


def plan_import(stored: Mapping[str, PublishedProcedure], incoming: Iterable[PublishedProcedure],
                *, keep_missing: bool = False) -> ImportPlan:
    """Added, changed (field by field), removed (unless keep_missing) and unchanged records."""
    plan = ImportPlan(incoming=sorted(incoming, key=lambda p: p.code))
    seen = set()
    for p in plan.incoming:
        seen.add(p.code)
        before = stored.get(p.code)
        if before is None:
            plan.added.append(p)
            continue
        fields = changed_fields(before, p)
        if fields:
            plan.changed.append(Change(p.code, p.name, tuple(fields)))
        else:
            plan.unchanged += 1
    if not keep_missing:
        plan.removed = [stored[c] for c in sorted(stored) if c not in seen]
    return plan
