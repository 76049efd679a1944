"""Requests to an ASGI app in this process, as uvicorn makes them (scope, receive, send)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class Sent:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self):
        import json

        return json.loads(self.body)


async def request(app, method: str, path: str, body: bytes = b"", headers: dict | None = None,
                  chunks: list[bytes] | None = None, scheme: str = "http",
                  disconnect: bool = False) -> Sent:
    """One request; `chunks` sends the body in parts (no Content-Length unless given);
    `disconnect`: the client goes away after the parts instead of finishing the body."""
    parts = chunks if chunks is not None else [body]
    if chunks is None and body:
        headers = {"Content-Length": str(len(body)), **(headers or {})}
    messages = [{"type": "http.request", "body": part,
                 "more_body": disconnect or index < len(parts) - 1}
                for index, part in enumerate(parts)]
    if disconnect:
        messages.append({"type": "http.disconnect"})
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": scheme, "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 80),
             "headers": [(name.lower().encode("latin-1"), value.encode("latin-1"))
                         for name, value in (headers or {}).items()]}
    sent = Sent()

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()   # a client that stays connected

    async def send(message):
        if message["type"] == "http.response.start":
            sent.status = message["status"]
            sent.headers = {name.decode("latin-1").lower(): value.decode("latin-1")
                            for name, value in message["headers"]}
        elif message["type"] == "http.response.body":
            sent.body += message.get("body", b"")

    await app(scope, receive, send)
    return sent


def call(app, method: str, path: str, **kwargs) -> Sent:
    return asyncio.run(request(app, method, path, **kwargs))


def call_together(app, calls: list[tuple[str, str, dict]]) -> list[Sent]:
    """Requests that arrive at once, answered on one event loop."""
    async def run():
        return await asyncio.gather(*(request(app, method, path, **kwargs)
                                      for method, path, kwargs in calls))
    return asyncio.run(run())
