"""What `okrsync serve` runs: webhook deliveries answered on an event loop, every other request
handed to the Flask app through a2wsgi.

Under gunicorn's threaded worker each delivery held a thread while its row was committed, and
parsing HTTP in Python cost more than verifying the delivery: intake answered 0.33-0.42 of what a
bare Flask endpoint did under wrk (issue 14). Here uvicorn (httptools, uvloop) parses requests, a
delivery waiting for its commit is a coroutine, and one thread per process writes the rows of the
deliveries that arrived together (webhooks/intake_store.py `store_delivery_on_loop`). Verifying
runs on the loop (no I/O once the connection's lookup is cached; a lookup runs on a thread).

The answers, headers and error format are intake's as okrsync/intake_wsgi.py writes them (the
test client and any WSGI server go through that one); pages and the API run in a2wsgi's threads
as they did in gunicorn's.
"""
from __future__ import annotations

import asyncio
import io
import logging

from a2wsgi import WSGIMiddleware
from flask import Flask
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import Headers
from werkzeug.exceptions import InternalServerError

from api.errors import http_error_response, store_unavailable_response
from config.headers import add_security_headers, over_https
from okrsync.intake_wsgi import answer_headers, error_response, intake_route
from plumbing.db import REQUEST_THREADS
from webhooks.events import MAX_BODY_BYTES
from webhooks.intake_store import StoreUnavailable, loop_intake_writer, store_delivery_on_loop
from webhooks.views import (
    Answer, check_delivery, connection_cached, stored_answer, unavailable_answer,
)

log = logging.getLogger("okrsync.webhooks")


class IntakeFront:
    """An ASGI app: deliveries answered here, everything else by `app` (WSGI, on threads)."""

    def __init__(self, app: Flask):
        self.app = app
        self.pages = WSGIMiddleware(app, workers=REQUEST_THREADS)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        route = intake_route(scope.get("method"), scope.get("path", "")) \
            if scope["type"] == "http" else None
        if route is None:
            await self.pages(scope, receive, send)
            return
        source = await _read_delivery(scope, receive)
        if source is None:
            return   # the tracker went away before sending the whole body: nobody to answer
        answered = await self._answer(source, *route)
        if isinstance(answered, Answer):
            await _send(send, answered.status, answer_headers(answered, over_https(source)),
                        answered.body)
        else:
            response = add_security_headers(answered, source)
            await _send(send, response.status_code, response.headers.to_wsgi_list(),
                        response.get_data())

    async def _answer(self, source: "DeliveryRequest", tracker: str, connection_id: int):
        """Intake's answer, or (when something failed) the response the app's handlers give."""
        try:
            checked = await self._check(source, tracker, connection_id)
            if isinstance(checked, Answer):
                return checked
            return stored_answer(checked, await store_delivery_on_loop(self.app, checked.values))
        except StoreUnavailable as exc:
            return unavailable_answer(connection_id, exc)
        except OperationalError as exc:
            with self.app.app_context():
                return error_response(*store_unavailable_response(exc))
        except Exception as exc:
            log.exception("webhooks.intake-failed", extra={"connection_id": connection_id})
            failure = InternalServerError(original_exception=exc)
            with self.app.app_context():
                return error_response(*http_error_response(failure))

    async def _check(self, source, tracker: str, connection_id: int):
        """check_delivery on the loop when it needs no I/O, else on a thread."""
        with self.app.app_context():
            if connection_cached(connection_id):
                return check_delivery(tracker, connection_id, source)
        return await asyncio.get_running_loop().run_in_executor(
            None, self._check_in_context, source, tracker, connection_id)

    def _check_in_context(self, source, tracker: str, connection_id: int):
        with self.app.app_context():
            return check_delivery(tracker, connection_id, source)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # The rows being written are committed and answered before the process exits.
                await asyncio.get_running_loop().run_in_executor(
                    None, loop_intake_writer(self.app).close)
                await send({"type": "lifespan.shutdown.complete"})
                return


class DeliveryRequest:
    """What intake reads of a request, as werkzeug's request has them (headers, content_length,
    stream), and what the security headers read (path, is_secure)."""

    def __init__(self, scope, body: bytes, content_length: int | None):
        self.path = scope.get("path", "")
        self.is_secure = scope.get("scheme") == "https"
        self.headers = Headers([(name.decode("latin-1"), value.decode("latin-1"))
                                for name, value in scope.get("headers", ())])
        self.content_length = content_length
        self.stream = io.BytesIO(body)


async def _read_delivery(scope, receive) -> DeliveryRequest | None:
    """The request with its body, read no further than one byte past intake's limit (intake then
    answers 413, as it does to a body declared too large, which is not read at all); None when
    the client disconnected first."""
    content_length = _declared_length(scope)
    if content_length is not None and content_length > MAX_BODY_BYTES:
        return DeliveryRequest(scope, b"", content_length)
    chunks, size = [], 0
    while size <= MAX_BODY_BYTES:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            break
    return DeliveryRequest(scope, b"".join(chunks), content_length)


def _declared_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send(send, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(name.lower().encode("latin-1"), value.encode("latin-1"))
                            for name, value in headers]})
    await send({"type": "http.response.body", "body": body})
