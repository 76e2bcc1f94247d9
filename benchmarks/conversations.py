"""Conversations through the REST channel on real servers: cost per turn, memory, concurrency.

- one conversation of 300 turns: p50 of the first 20 turns and of the last 20
  (target: last ≤ 1.2 × first, the cost of a turn stays flat as a conversation grows);
- the Rasa server's resident memory after start and after N conversations of
  5 turns (target ≤ 1.2 × after start; N is 10,000 by default, `--conversations`
  makes it smaller);
- throughput and p50 / p95 latency with 1, 8 and 32 conversations at once, with
  the Rasa server's CPU time per message (steadier than msg/s on a shared machine).

Run alone with `python -m benchmarks.conversations [--conversations N]`, or as part
of `make bench`. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

# A citizen's questions, cycled: procedures, follow-ups without a name, small talk.
QUESTIONS = [
    "lam giay khai sinh can giay to gi",
    "thế lệ phí thì sao",
    "mất bao lâu",
    "nộp ở đâu",
    "đổi gplx mất bao lâu",
    "có làm online được không",
    "đăng ký tạm trú cần gì",
    "xin chào",
    "lam cccd co lam online dc ko",
    "cảm ơn",
]
SHORT_CONVERSATION = ["xin chào", "lam giay khai sinh can giay to gi", "thế lệ phí thì sao", "nộp ở đâu", "cảm ơn"]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return p50, p95


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far, all its threads (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Client:
    """Posts to the REST channel and times each turn."""

    def __init__(self, url: str, session: aiohttp.ClientSession):
        self.url = f"{url}/webhooks/rest/webhook"
        self.session = session
        self.errors = 0

    async def say(self, sender: str, message: str) -> float:
        start = time.perf_counter()
        try:
            async with self.session.post(self.url, json={"sender": sender, "message": message}) as response:
                await response.read()
                if response.status != 200:
                    self.errors += 1
        except aiohttp.ClientError:
            self.errors += 1
        return (time.perf_counter() - start) * 1000


async def long_conversation(client: Client, turns: int) -> list[float]:
    sender = f"bench-long-{uuid.uuid4().hex[:8]}"
    return [await client.say(sender, QUESTIONS[i % len(QUESTIONS)]) for i in range(turns)]


async def many_conversations(client: Client, count: int, concurrency: int, prefix: str) -> tuple[list[float], float]:
    """`count` conversations of five turns, `concurrency` at a time; latencies and wall time."""
    timings: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker() -> None:
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            sender = f"{prefix}-{i}-{uuid.uuid4().hex[:6]}"
            for message in SHORT_CONVERSATION:
                timings.append(await client.say(sender, message))

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return timings, time.perf_counter() - start


def cpu_line(cpu_ms: dict[str, float]) -> str:
    """CPU per message of each process, and the rate all cores could carry at that cost."""
    total = sum(cpu_ms.values())
    parts = ", ".join(f"{name} {ms:.0f}" for name, ms in cpu_ms.items())
    ceiling = (os.cpu_count() or 1) * 1000 / total if total else float("inf")
    return f"CPU ms/msg: {parts}; total {total:.0f} -> at most {ceiling:.0f} msg/s on {os.cpu_count()} cores"


async def _bench(url: str, pids: dict[str, int], conversations: int, turns: int, levels: list[int]) -> None:
    rasa_pid = pids["Rasa server"]
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=64)) as session:
        client = Client(url, session)
        await many_conversations(client, 4, 1, "warm-up")
        start_mb = resident_mb(rasa_pid)

        print(f"\n== Rasa server memory: {conversations} conversations of 5 turns (32 at a time) ==", flush=True)
        _, seconds = await many_conversations(client, conversations, 32, "mem")
        after_mb = resident_mb(rasa_pid)
        print(f"{'resident after start':<34} {start_mb:.0f} MB")
        print(f"{'resident after conversations':<34} {after_mb:.0f} MB  ({after_mb / start_mb:.2f}× after start; "
              f"target ≤ 1.2×; {conversations * 5 / seconds:.1f} msg/s)")

        print(f"\n== One conversation of {turns} turns ==", flush=True)
        timings = await long_conversation(client, turns)
        first, _ = percentiles(timings[:20])
        last, _ = percentiles(timings[-20:])
        print(f"{'first 20 turns':<34} p50 {first:.0f} ms")
        print(f"{'last 20 turns':<34} p50 {last:.0f} ms  ({last / first:.2f}× first; target ≤ 1.2×)")

        print("\n== Concurrent conversations of 5 turns (REST channel) ==", flush=True)
        for level in levels:
            count = max(level * 3, 6)
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            timings, seconds = await many_conversations(client, count, level, f"conc{level}")
            cpu_ms = {name: 1000 * (cpu_seconds(pid) - cpu_before[name]) / len(timings) for name, pid in pids.items()}
            p50, p95 = percentiles(timings)
            print(f"{f'{level} at a time':<34} {len(timings) / seconds:5.1f} msg/s  p50 {p50:.0f} ms  p95 {p95:.0f} ms"
                  f"  (Rasa server CPU {cpu_ms['Rasa server']:.0f} ms/msg)")
            print(f"{'':<34} {cpu_line(cpu_ms)}")
        if client.errors:
            print(f"{'requests that failed':<34} {client.errors}")


def bench_conversations(conversations: int = 10_000, turns: int = 300, levels: tuple[int, ...] = (1, 8, 32),
                        extra_env: dict | None = None, var_dir: Path | None = None) -> None:
    """Start the assistant on a fresh database (in `var_dir`, else a temporary folder) and print the figures."""
    from tests.e2e.servers import start_assistant

    with tempfile.TemporaryDirectory() as tmp:
        running = start_assistant(var_dir or Path(tmp), extra_env={"LOG_LEVEL": "WARNING", **(extra_env or {})})
        try:
            actions, rasa = running.procs
            pids = {"Rasa server": rasa.pid, "action server": actions.pid, "benchmark client": os.getpid()}
            asyncio.run(_bench(running.url, pids, conversations, turns, list(levels)))
        finally:
            running.stop()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--conversations", type=int, default=10_000,
                        help="conversations of 5 turns for the memory figure (default 10,000)")
    parser.add_argument("--turns", type=int, default=300, help="turns of the long conversation (default 300)")
    parser.add_argument("--var-dir", type=Path, help="keep the database and server logs in this folder")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    bench_conversations(args.conversations, args.turns, var_dir=args.var_dir)


if __name__ == "__main__":
    main()
