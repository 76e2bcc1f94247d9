"""Reading a request body inside the Rasa server (Sanic) without holding more than a cap.

A route declared with `stream=True` runs as soon as the headers arrive; its body
is read here chunk by chunk and refused (bot.core.inbound.Rejected, 413) as soon
as it passes `max_bytes`, so a 10 MB body never sits in memory or reaches a parser.
"""

from __future__ import annotations

from sanic.request import Request

from bot.core.inbound import too_large


async def read_capped(request: Request, max_bytes: int) -> bytes:
    """The whole body of a streamed request, or Rejected 413 once it exceeds max_bytes."""
    declared = (request.headers.get("content-length") or "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large()
    if request.body or request.stream is None:  # a route without stream=True: Sanic has read it already
        if len(request.body or b"") > max_bytes:
            raise too_large()
        return request.body or b""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            break
        size += len(chunk)
        if size > max_bytes:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)
