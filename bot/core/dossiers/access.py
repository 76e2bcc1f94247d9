"""Who may see a dossier: limits on failed checks, and how long a good check lasts.

A failed check (an unknown code or wrong phone digits: the citizen cannot tell
which) counts against four limits at once, so changing conversation does not
reset anything:

- the conversation (`sender`): 5 in 15 minutes, then it waits, as before;
- the kiosk address (`ip`), when the kiosk sends one: 20 an hour;
- the dossier code (`code`), across every conversation: 10 an hour, then that
  code is checked only at the desk until the hour has passed;
- all checks together (`overall`): a budget an hour, then every check waits.

A successful check lets that conversation follow the dossier for
`VERIFIED_FOR`; the record is kept by the server, never taken from a slot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from bot.core.ratelimit import DOSSIER_CHECKS, RateLimit

HOUR = dt.timedelta(hours=1)
VERIFIED_FOR = dt.timedelta(minutes=30)

# Which limit refused a check, most general first (the order they are tested in).
OVERALL, SENDER, IP, CODE = "overall", "sender", "ip", "code"


@dataclass(frozen=True)
class Failure:
    """One failed check: when, from which conversation and kiosk address, for which code."""

    at: dt.datetime
    sender_id: str
    code: str | None = None
    ip: str | None = None


@dataclass(frozen=True)
class Lockout:
    scope: str  # OVERALL, SENDER, IP or CODE
    until: dt.datetime


@dataclass(frozen=True)
class CheckLimits:
    per_sender: RateLimit = DOSSIER_CHECKS
    per_ip: RateLimit = field(default_factory=lambda: RateLimit(20, HOUR))
    per_code: RateLimit = field(default_factory=lambda: RateLimit(10, HOUR))
    overall: RateLimit = field(default_factory=lambda: RateLimit(300, HOUR))

    @classmethod
    def of(cls, *, per_code: int = 10, per_ip: int = 20, overall: int = 300) -> "CheckLimits":
        """The default windows with other counts (from the settings)."""
        return cls(per_ip=RateLimit(per_ip, HOUR), per_code=RateLimit(per_code, HOUR),
                   overall=RateLimit(overall, HOUR))

    @property
    def window(self) -> dt.timedelta:
        """How far back failures matter to any limit."""
        return max(self.per_sender.window, self.per_ip.window, self.per_code.window, self.overall.window)

    def lockout(self, failures: Iterable[Failure], now: dt.datetime, *, sender_id: str,
                code: str | None = None, ip: str | None = None) -> Lockout | None:
        """The limit that refuses this check now, or None when it may go ahead.

        `failures` are the recent failures of everyone (at least `window` back).
        `code` is None while the code is not known yet (before it is typed).
        """
        failures = list(failures)
        tests = [
            (OVERALL, self.overall, lambda f: True),
            (SENDER, self.per_sender, lambda f: f.sender_id == sender_id),
        ]
        if ip:
            tests.append((IP, self.per_ip, lambda f: f.ip == ip))
        if code:
            tests.append((CODE, self.per_code, lambda f: f.code == code))
        for scope, limit, mine in tests:
            until = limit.locked_until((f.at for f in failures if mine(f)), now)
            if until is not None:
                return Lockout(scope, until)
        return None


DEFAULT_LIMITS = CheckLimits()
