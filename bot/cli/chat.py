"""`bot chat`: talk to the running assistant in the terminal (REST channel)."""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
import uuid

from bot.cli.context import Context


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="Trò chuyện với trợ lý trong cửa sổ dòng lệnh")
    parser.add_argument("--url", default=None, help="Địa chỉ máy chủ Rasa (mặc định http://127.0.0.1:5005)")
    parser.set_defaults(handler=_chat)


def send(url: str, sender: str, message: str, timeout: float = 30) -> list[dict]:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def render(replies: list[dict]) -> str:
    lines = []
    for reply in replies:
        if reply.get("text"):
            lines.append(reply["text"])
        for i, button in enumerate(reply.get("buttons") or [], 1):
            lines.append(f"  [{i}] {button['title']}")
    return "\n".join(lines)


def _chat(args: argparse.Namespace, ctx: Context) -> int:
    from bot.cli.errors import CommandError

    url = args.url or ctx.settings().rasa_url
    sender = f"cli-{uuid.uuid4().hex[:8]}"
    print("Gõ câu hỏi rồi nhấn Enter. Gõ số để bấm nút. Gõ /thoat để thoát.")
    buttons: list[dict] = []
    while True:
        try:
            message = input("Bạn: ").strip()
        except EOFError:
            return 0
        if message in ("/thoat", "/exit", "/quit"):
            return 0
        if message.isdigit() and 1 <= int(message) <= len(buttons):
            message = buttons[int(message) - 1]["payload"]
        try:
            replies = send(url, sender, message)
        except (urllib.error.URLError, OSError) as exc:
            raise CommandError(f"Không kết nối được trợ lý tại {url} ({exc}). Hãy chạy `make run` trước.") from None
        buttons = [b for r in replies for b in (r.get("buttons") or [])]
        print(render(replies) or "(không có trả lời)")
