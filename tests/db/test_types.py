"""The time rule at the database: aware values in, UTC stored, aware UTC out; naive values refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from bot.db.models import RatingRow
from tests.core.times import utc, vn


def _rating(created_at: dt.datetime) -> RatingRow:
    return RatingRow(sender_id="web:x", channel="web", topic="khac", context="procedure_answer", level=4,
                     created_at=created_at)


def test_a_naive_datetime_cannot_be_stored(engine):
    with Session(engine) as session:
        session.add(_rating(dt.datetime(2025, 3, 12, 8, 0)))
        with pytest.raises(StatementError, match="naive datetime"):
            session.commit()


def test_a_stored_instant_reads_back_equal_and_aware_utc(engine):
    with Session(engine) as session:
        session.add(_rating(vn(2025, 3, 12, 8, 0)))
        session.commit()
    with Session(engine) as session:
        stored = session.query(RatingRow).one().created_at
    assert stored == vn(2025, 3, 12, 8, 0)
    assert stored.utcoffset() == dt.timedelta(0)
    assert stored == utc(2025, 3, 12, 1, 0)


def test_queries_compare_instants(engine):
    with Session(engine) as session:
        session.add(_rating(vn(2025, 3, 12, 8, 0)))
        session.commit()
        assert session.query(RatingRow).filter(RatingRow.created_at < utc(2025, 3, 12, 1, 1)).count() == 1
        assert session.query(RatingRow).filter(RatingRow.created_at < vn(2025, 3, 12, 7, 59)).count() == 0
