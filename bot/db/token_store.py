"""Stored API tokens of the messaging channels (table `channel_tokens`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.engine import Engine

from bot.core.clock import now_utc
from bot.db.engine import session_factory
from bot.db.models import ChannelTokenRow


@dataclass(frozen=True)
class ChannelTokens:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime | None  # aware; None when unknown


class TokenStore:
    """One row of tokens per channel; `clock` (aware) stamps each save."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = now_utc):
        self._sessions = session_factory(engine)
        self._clock = clock

    def get(self, channel: str) -> ChannelTokens | None:
        with self._sessions() as session:
            row = session.get(ChannelTokenRow, channel)
            return ChannelTokens(row.access_token, row.refresh_token, row.expires_at) if row else None

    def save(self, channel: str, tokens: ChannelTokens) -> None:
        """Replace the channel's tokens in one transaction."""
        with self._sessions.begin() as session:
            row = session.get(ChannelTokenRow, channel, with_for_update=True)
            if row is None:
                row = ChannelTokenRow(channel=channel)
                session.add(row)
            row.access_token = tokens.access_token
            row.refresh_token = tokens.refresh_token
            row.expires_at = tokens.expires_at
            row.updated_at = self._clock()
