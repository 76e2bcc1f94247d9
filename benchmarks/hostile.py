"""Hostile soak (`make bench`): N hostile requests to every surface of the real servers, then
a normal question on each; prints how many answers were 5xx (the target is 0).

    python -m benchmarks.hostile [--requests N]

The corpus is tests/hostile_corpus.py, sent round after round (tests/e2e/hostile.py)
to Rasa's REST webhook, the Zalo webhook (signed and unsigned; replies go to a
fake Zalo API on 127.0.0.1), the kiosk API and the dossier push API, until N
requests have been sent. A benchmark prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import tempfile
import time
import urllib.request
from pathlib import Path


def _normal_answers(assistant, web) -> dict[str, bool]:
    """Whether REST and the kiosk still answer a normal question with the procedure's code."""
    rest = "\n".join(r.get("text") or "" for r in assistant.say("soak-after", "đăng ký kết hôn cần giấy tờ gì"))
    request = urllib.request.Request(
        f"{web.url}/kiosk/api/message", headers={"Content-Type": "application/json"},
        data=json.dumps({"screen": "soak", "session": "after", "message": "làm căn cước cần giấy tờ gì"}).encode())
    with urllib.request.urlopen(request, timeout=60) as response:
        kiosk = response.read().decode("utf-8")
    return {"REST": "1.000894" in rest, "kiosk": "1.014061" in kiosk}


def bench_hostile(total: int = 1500) -> None:
    from tests.channels.fake_zalo import TOKEN
    from tests.channels.test_zalo_webhook import ApiInThread
    from tests.e2e.hostile import DOSSIER_TOKEN, ZALO_APP_ID, ZALO_SECRET, Outcome, requests, send_all
    from tests.e2e.servers import start_assistant, start_web

    zalo_api = ApiInThread()
    with tempfile.TemporaryDirectory() as tmp:
        assistant = start_assistant(Path(tmp), extra_env={
            "ZALO_APP_ID": ZALO_APP_ID, "ZALO_OA_SECRET_KEY": ZALO_SECRET, "ZALO_ACCESS_TOKEN": TOKEN,
            "ZALO_API_BASE": zalo_api.api.base, "DOSSIER_API_TOKEN": DOSSIER_TOKEN, "LOG_LEVEL": "WARNING",
        })
        web = None
        try:
            web = start_web(assistant.env, Path(tmp) / "logs")
            rounds = (requests(f"soak{n}") for n in itertools.count())
            stream = itertools.islice(itertools.chain.from_iterable(rounds), total)
            started = time.perf_counter()
            outcome = asyncio.run(send_all(assistant.url, web.url, stream, Outcome()))
            elapsed = time.perf_counter() - started
            answers = _normal_answers(assistant, web)
        finally:
            if web is not None:
                web.stop()
            assistant.stop()
            zalo_api.close()

    print("\n== Hostile soak (real servers: REST, Zalo, kiosk, dossier push) ==")
    print(f"{'requests':<34} {outcome.total} in {elapsed:.0f} s")
    print(f"{'5xx answers':<34} {outcome.count_5xx}  (target 0)")
    for surface in sorted({s for s, _ in outcome.statuses}):
        statuses = ", ".join(f"{status or 'closed'}×{n}" for (s, status), n in sorted(outcome.statuses.items())
                             if s == surface)
        print(f"  {surface:<32} {statuses}")
    for surface, (case, status, body) in ((e[0], e[1:]) for e in outcome.server_errors[:10]):
        print(f"  5xx: {surface} {case!r} -> {status} {body[:120]!r}")
    print(f"{'normal answer afterwards':<34} " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in answers.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="how many hostile requests (default 1500)")
    bench_hostile(parser.parse_args().requests)


if __name__ == "__main__":
    main()
