"""`bot chat`: talk to the running assistant in the terminal (REST channel)."""

from __future__ import annotations

import argparse
import asyncio
import uuid

from bot.cli.context import Context
from bot.core.delivery import NO_REPLY, Reply, choice_from_text, latest_buttons


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="Trò chuyện với trợ lý trong cửa sổ dòng lệnh")
    parser.add_argument("--url", default=None, help="Địa chỉ máy chủ Rasa (mặc định http://127.0.0.1:5005)")
    parser.set_defaults(handler=_chat)


def render(replies: list[Reply]) -> str:
    """The replies as text; only the buttons a typed number picks (`latest_buttons`) are numbered."""
    numbered = latest_buttons(replies)
    lines = []
    for reply in replies:
        if reply.text:
            lines.append(reply.text)
        for i, button in enumerate(reply.buttons, 1):
            mark = f"[{i}]" if reply.buttons is numbered else "-"
            lines.append(f"  {mark} {button.title}")
    return "\n".join(lines)


def _chat(args: argparse.Namespace, ctx: Context) -> int:
    return asyncio.run(converse(args.url or ctx.settings().rasa_url))


async def converse(url: str, read=input, write=print) -> int:
    """Read a question, print the replies, until /thoat or the end of input."""
    from bot.channels.rasa_client import RasaClient, RasaUnavailable
    from bot.cli.errors import CommandError

    rasa = RasaClient(url)
    sender = f"cli-{uuid.uuid4().hex[:8]}"
    write("Gõ câu hỏi rồi nhấn Enter. Gõ số để bấm nút. Gõ /thoat để thoát.")
    buttons = []
    try:
        while True:
            try:
                message = read("Bạn: ").strip()
            except EOFError:
                return 0
            if message in ("/thoat", "/exit", "/quit"):
                return 0
            message = choice_from_text(message, buttons) or message
            try:
                replies = await rasa.send(sender, message)
            except RasaUnavailable as exc:
                raise CommandError(
                    f"Không kết nối được trợ lý tại {url} ({exc}). Hãy chạy `make run` trước.") from None
            buttons = latest_buttons(replies)
            write(render(replies) or NO_REPLY)
    finally:
        await rasa.close()
