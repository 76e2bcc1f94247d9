"""Small helpers the console's page modules share: form fields as bounded text, store calls off the loop."""

from __future__ import annotations

import asyncio


def form_text(form, name: str, limit: int) -> str:
    """A form field as text, cut to `limit` characters; "" when absent or a file."""
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


async def off_loop(fn, *args, **kwargs):
    """Run a blocking store call in a thread, so one slow query never stalls other requests."""
    return await asyncio.to_thread(fn, *args, **kwargs)
